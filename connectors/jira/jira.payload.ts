import { z } from 'zod';
import { jiraTimeToIso } from './jira.time';

/**
 * What the `jira` connector accepts: a Jira webhook body (Cloud admin webhooks, Data Center
 * webhooks). Forgiving of the many fields it does not read; the issue events it acts on must
 * carry what a state needs (the issue's key, its status, when it was updated), and a body that
 * lacks them is refused with the missing field's path.
 */

/** The events that carry an issue whose status Debrief reads. */
export const JIRA_ISSUE_EVENTS = ['jira:issue_created', 'jira:issue_updated'] as const;

const jiraTime = z.string().refine((text) => jiraTimeToIso(text) !== null, 'expected a Jira timestamp, e.g. 2026-09-27T10:03:11.123+0200');

export const jiraIssueSchema = z.looseObject({
  id: z.union([z.string(), z.number()]).optional(),
  key: z.string().min(1).max(255),
  fields: z.looseObject({
    status: z.looseObject({
      name: z.string().min(1).max(255),
      statusCategory: z.looseObject({ key: z.string().min(1).max(100) }).nullable().optional(),
    }),
    updated: jiraTime,
  }),
});

const changelogSchema = z.looseObject({
  items: z.array(z.looseObject({ field: z.string().optional(), fieldId: z.string().optional() })).optional(),
}).nullable().optional();

export const jiraWebhookSchema = z.looseObject({
  webhookEvent: z.string().min(1).max(200).describe('Jira\'s event name, e.g. `jira:issue_updated`.'),
  timestamp: z.number().optional(),
  issue_event_type_name: z.string().optional(),
  issue: z.unknown().optional(),
  changelog: changelogSchema,
}).meta({ title: 'Jira webhook' });

export type JiraIssue = z.output<typeof jiraIssueSchema>;

export type JiraWebhookBody =
  | {
      type: 'issue';
      event: (typeof JIRA_ISSUE_EVENTS)[number];
      issue: JiraIssue;
      /** Whether the changelog names a status change; null when the body has no changelog. */
      statusChanged: boolean | null;
    }
  | { type: 'other'; event: string };

const isIssueEvent = (event: string): event is (typeof JIRA_ISSUE_EVENTS)[number] => (JIRA_ISSUE_EVENTS as readonly string[]).includes(event);

/**
 * The connector's payload schema. Issue events are checked against `jiraIssueSchema` under
 * `issue`, so a 400 names e.g. `issue.fields.status`; every other event passes as it is and is
 * acknowledged and ignored.
 */
export const jiraPayloadSchema = jiraWebhookSchema.transform((body, ctx): JiraWebhookBody => {
  if (!isIssueEvent(body.webhookEvent)) return { type: 'other', event: body.webhookEvent };
  const issue = jiraIssueSchema.safeParse(body.issue);
  if (!issue.success) {
    for (const problem of issue.error.issues) ctx.addIssue({ code: 'custom', path: ['issue', ...problem.path], message: problem.message });
    return z.NEVER;
  }
  const items = body.changelog?.items;
  const statusChanged = items ? items.some((item) => item.fieldId === 'status' || item.field === 'status') : null;
  return { type: 'issue', event: body.webhookEvent, issue: issue.data, statusChanged };
});

export type JiraPayload = z.output<typeof jiraPayloadSchema>;
