import { z } from 'zod';

/**
 * What the Jira tracker client is configured with. Cloud and Data Center differ in how they
 * authenticate (Cloud: an Atlassian account's email with an API token, sent as Basic; Data
 * Center: a personal access token, sent as Bearer), in which REST version they speak (Cloud v3
 * with Atlassian Document Format; Data Center v2 with wiki text) and in how they name people
 * (Cloud: accountId; Data Center: user name).
 *
 * The one secret is `auth.token`. It is named `token` so the logger's redaction (`*.token`)
 * covers it, and it is never defaulted: take it from the environment
 * (`token: ${DEBRIEF_JIRA_TOKEN}`).
 */

export const JIRA_DEPLOYMENTS = ['cloud', 'datacenter'] as const;
export type JiraDeployment = (typeof JIRA_DEPLOYMENTS)[number];

// Jira labels are single words: a space would split one label into two.
const label = z.string().min(1).max(255).regex(/^\S+$/, 'Jira labels cannot contain spaces');

export const jiraTrackerSettingsSchema = z.object({
  baseUrl: z.url({ protocol: /^https?$/ })
    .transform((url) => url.replace(/\/+$/, ''))
    .describe('The Jira site, e.g. `https://acme.atlassian.net` (Cloud) or `https://jira.acme.internal` (Data Center). Issue links are `<baseUrl>/browse/<KEY>`.'),
  deployment: z.enum(JIRA_DEPLOYMENTS).default('cloud')
    .describe('`cloud` (REST v3, email + API token) or `datacenter` (REST v2, personal access token).'),
  auth: z.object({
    email: z.string().min(1).optional()
      .describe('Cloud only: the Atlassian account the API token belongs to.'),
    token: z.string().min(1)
      .describe('Cloud: an API token (sent as Basic with `email`); Data Center: a personal access token (sent as Bearer). A secret: take it from env; never logged.'),
  }),
  projectKey: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'a Jira project key, e.g. OPS')
    .describe('The project issues are made in.'),
  issueType: z.string().min(1).default('Task').describe('Issue type name for action items.'),
  labels: z.array(label).default([]).describe('Labels put on every issue Debrief makes (besides its own marker label).'),
  components: z.array(z.string().min(1)).default([]).describe('Component names set on every issue Debrief makes.'),
  assignees: z.record(z.string().min(1), z.string().min(1)).default({})
    .describe('Debrief owner -> Jira account (accountId on Cloud, user name on Data Center). An owner not listed is passed as it is.'),
  timeoutMs: z.number().int().positive().max(120_000).default(10_000)
    .describe('Per-request timeout (ms) of the outbound policy the client runs under.'),
}).superRefine((settings, ctx) => {
  if (settings.deployment === 'cloud' && !settings.auth.email) {
    ctx.addIssue({ code: 'custom', path: ['auth', 'email'], message: 'Jira Cloud authenticates with the account email and an API token: set auth.email' });
  }
  if (settings.deployment === 'datacenter' && settings.auth.email) {
    ctx.addIssue({ code: 'custom', path: ['auth', 'email'], message: 'Jira Data Center authenticates with a personal access token alone: leave auth.email out' });
  }
});

export type JiraTrackerSettings = z.output<typeof jiraTrackerSettingsSchema>;
export type JiraTrackerSettingsInput = z.input<typeof jiraTrackerSettingsSchema>;

/** The label that marks an issue as the one made for an action item (its idempotency key). */
export const jiraMarkerLabel = (actionItemId: string): string => `debrief-${actionItemId.replace(/\s+/g, '_')}`;

/** The issue's page for people. */
export const jiraBrowseUrl = (baseUrl: string, key: string): string => `${baseUrl}/browse/${encodeURIComponent(key)}`;
