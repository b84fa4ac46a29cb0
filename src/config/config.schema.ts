import { z } from 'zod';
import { connectorIds, connectorRegistry, type ConnectorId, type CredentialsOf } from '../../connectors';
import { CORRELATION_DEFAULTS } from '../domain/correlation/correlator';
import { MAX_ONGOING_SPAN_HOURS, ONGOING_OUTAGE_DEFAULTS } from '../domain/correlation/ongoing-outage';
import { MatcherSyntaxError, parseMatcher } from '../domain/correlation/matchers';
import { correlationRulesSchema } from '../domain/correlation/rule-config';
import { DEFAULT_IGNORED_ALERTNAMES } from '../domain/ignored-alerts';
import { NOTICE_KINDS } from '../domain/notify/people-notices';
import { ACTION_ITEM_STATUSES } from '../domain/report/report-model';
import { jiraTrackerSettingsSchema } from '../domain/trackers/jira-settings';

/**
 * `server.maxConnections`: Alertmanager clusters, PagerDuty, probes and people's browsers need a
 * few dozen; a connection costs about 10 KB and a descriptor, so 4,096 stay within a few tens of
 * megabytes and far from descriptor limits.
 */
export const DEFAULT_MAX_CONNECTIONS = 4096;

/** Processing pauses for waiting webhooks this many times as long as an inbox entry took (`inbox.ingestPriority`). */
export const DEFAULT_INGEST_PRIORITY = 5;

/** An inbox entry still processing after this long is stopped and dead-lettered (`inbox.entryTimeoutSeconds`). */
export const DEFAULT_ENTRY_TIMEOUT_SECONDS = 60;

/**
 * The one schema that validates Debrief's configuration: `config/debrief.yaml` (optional)
 * overlaid with environment variables (see `ENV_BINDINGS`). Every key has a description and
 * a default, except secrets, which are never defaulted.
 */

// --- correlation rules and service catalog; rule syntax in src/domain/correlation/rule-config.ts
const correlationSchema = z.object({
  groupWindowMinutes: z.coerce.number().positive().default(CORRELATION_DEFAULTS.groupWindowMinutes)
    .describe('Window of the default `same-alertmanager-group` rule (ignored when `rules` is set).'),
  quietPeriodMinutes: z.coerce.number().min(0).default(CORRELATION_DEFAULTS.quietPeriodMinutes)
    .describe('After an incident\'s last alert resolved, a matching alert within this time continues it quietly (flapping).'),
  reopenWindowMinutes: z.coerce.number().min(0).default(CORRELATION_DEFAULTS.reopenWindowMinutes)
    .describe('After the quiet period, a matching alert within this window reopens the incident (timeline entry `incident.reopened`); later ones open a new incident.'),
  linkWindowMinutes: z.coerce.number().positive().default(CORRELATION_DEFAULTS.linkWindowMinutes)
    .describe('Window of explicit links: PagerDuty dedup key = SHA-256 of the Alertmanager group key, and later firings of an alert a person placed.'),
  pagerDutyServiceWindowMinutes: z.coerce.number().min(0).default(CORRELATION_DEFAULTS.pagerDutyServiceWindowMinutes)
    .describe('A page joins an incident on the catalog service its PagerDuty service maps to within this window; 0 turns the mapping off.'),
  maxTopologyDepth: z.coerce.number().int().min(1).max(5).default(CORRELATION_DEFAULTS.maxTopologyDepth)
    .describe('Topology links chain at most this many steps from an incident\'s root: a caller joins through a member at most this many steps minus one from the root; a dependency alerting after its callers joins only through the core (depth 0).'),
  hubDegree: z.coerce.number().int().min(2).optional()
    .describe('A catalog service joined to at least this many services (callers plus dependencies) is a hub: it anchors topology links only from an incident\'s core. Default: four times the catalog\'s mean, at least 20.'),
  minScore: z.coerce.number().min(0).max(1).default(CORRELATION_DEFAULTS.minScore)
    .describe('Links scoring below this (evidence weight x closeness in time x depth) open a new incident instead.'),
  ongoingOutage: z.object({
    unresolvedPages: z.boolean().default(ONGOING_OUTAGE_DEFAULTS.unresolvedPages)
      .describe('An incident holding an unresolved PagerDuty page takes every new alert on the services its alerts name, in the same cluster, however long after their onsets (`ongoing-outage-page`, strong evidence).'),
    criticalAlerts: z.boolean().default(ONGOING_OUTAGE_DEFAULTS.criticalAlerts)
      .describe('An incident with two or more different critical alerts (by alert name) on a service still firing takes every new alert on that service, in the same cluster, however long after their onsets (`ongoing-outage-critical`, moderate evidence; a lone critical alert may be chronic and never counts).'),
    criticalSeverities: z.array(z.string().trim().min(1)).min(1).default([...ONGOING_OUTAGE_DEFAULTS.criticalSeverities])
      .describe('Values of the `severity` label (any case) that count as critical.'),
    maxSpanHours: z.coerce.number().positive().max(MAX_ONGOING_SPAN_HOURS).default(ONGOING_OUTAGE_DEFAULTS.maxSpanHours)
      .describe(`An ongoing-outage link never stretches an incident beyond this span from its start (a page left open, a critical alert nobody fixes); at most ${MAX_ONGOING_SPAN_HOURS}.`),
  }).strict().prefault({})
    .describe('Ongoing outages: links that do not fade with time while a page is unresolved or critical alerts fire.'),
  rules: correlationRulesSchema.optional()
    .describe('Correlation rules (the best-scoring eligible link wins; ties go to the earlier rule). Default: same-alertmanager-group, same-service, service-dependencies, named-dependency, same-service-any-cluster.'),
}).strict();

// --- alerts that never become incidents (src/domain/ignored-alerts.ts)
const ignoreMatcher = z.string().min(1).superRefine((s, ctx) => {
  try {
    parseMatcher(s);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: err instanceof MatcherSyntaxError ? err.message : String(err) });
  }
});
const DEFAULT_IGNORE = { alertnames: [...DEFAULT_IGNORED_ALERTNAMES], matchers: [] };
const ignoreSchema = z.object({
  alertnames: z.array(z.string().min(1)).default([...DEFAULT_IGNORED_ALERTNAMES])
    .describe('Heartbeat and informational alert names that never become incidents (counted on /metrics as reason `heartbeat`).'),
  matchers: z.array(z.array(ignoreMatcher).min(1)).default([])
    .describe('More alerts that never become incidents: each entry a list of Alertmanager matchers that must all match (`@service` allowed); counted as reason `matcher`.'),
}).strict();

export const ROLES = ['viewer', 'editor', 'publisher', 'admin'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

const apiTokenSchema = z.object({
  name: z.string().min(1).describe('Who uses the token; recorded as the actor of every write.'),
  role: roleSchema.default('viewer').describe('What the token may do: viewer < editor < publisher < admin.'),
  token: z.string().min(16, 'API tokens must be at least 16 characters').describe('The secret (from env; never logged).'),
});

// --- connector instances: each connector declares its own credentials (connectors/<id>/<id>.credentials.ts)
const instanceIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and dashes').describe('Path segment: POST /webhooks/<id>.');
const instanceSchemaOf = (id: ConnectorId) => z.object({
  id: instanceIdSchema,
  connector: z.literal(id).describe(`Which connector parses this instance's webhooks (${connectorIds.map((c) => `\`${c}\``).join(', ')}).`),
  credentials: (connectorRegistry[id].credentialsSchema as z.ZodType).prefault({})
    .describe(`What the sender authenticates with; the keys are the ${connectorRegistry[id].displayName} connector's own.`),
});

/** One configured connector instance, its credentials in its connector's own shape. */
export type InstanceConfig = { [K in ConnectorId]: { id: string; connector: K; credentials: CredentialsOf<K> } }[ConnectorId];
type InstanceInput = { id: string; connector: string; credentials?: unknown };

const unknownConnector = (given: unknown): string => {
  const known = connectorIds.join(', ');
  return given === undefined ? `name the connector (known: ${known})` : `unknown connector "${String(given)}" (known: ${known})`;
};

/**
 * `connector` picks the schema, so `credentials` is checked against that connector's own keys
 * (a key of another connector is reported as unknown, like any misspelt setting).
 */
const instanceSchema = z.discriminatedUnion('connector', connectorIds.map(instanceSchemaOf) as [ReturnType<typeof instanceSchemaOf>], {
  error: (issue) => (issue.code === 'invalid_union' ? unknownConnector((issue.input as { connector?: unknown } | undefined)?.connector) : undefined),
}) as unknown as z.ZodType<InstanceConfig, InstanceInput>;

const DEFAULT_POSTMORTEM_POLICY = { minSeverity: 'critical', minDurationMinutes: null, customerFacing: false, pagedOnly: false };
const postmortemPolicySchema = z.object({
  minSeverity: z.string().min(1).nullable().default('critical')
    .describe('Incident severity must be at least this (critical > error > high > warning > medium > low > info > none); null: any severity.'),
  minDurationMinutes: z.coerce.number().min(0).nullable().default(null)
    .describe('Incident must have lasted at least this many minutes; null: any duration.'),
  customerFacing: z.boolean().default(false).describe('Only incidents affecting a customer-facing service (per the service catalog).'),
  pagedOnly: z.boolean().default(false).describe('Only incidents paged through PagerDuty.'),
});

const DEFAULT_PROMETHEUS = { baseUrl: null, timeoutMs: 3000, marginMinutes: 15, maxRules: 8, maxSeries: 20, onlyRuleExpressions: true, refreshSeconds: 300 };
const prometheusSchema = z.object({
  baseUrl: z.url({ protocol: /^https?$/ }).nullable().default(null)
    .describe('Prometheus base URL (e.g. `http://prometheus:9090`); when set, reports chart each alert rule\'s expression around the incident, and draft the impact start from how long each rule waits (`for:`) before firing.'),
  timeoutMs: z.coerce.number().int().positive().default(3000).describe('Timeout of each Prometheus query; a slow Prometheus leaves a note in the report.'),
  marginMinutes: z.coerce.number().min(0).default(15).describe('Minutes charted before the incident start and after its end.'),
  maxRules: z.coerce.number().int().min(1).max(50).default(8).describe('At most this many alert rules are charted per incident.'),
  maxSeries: z.coerce.number().int().min(1).max(500).default(20)
    .describe('At most this many series are charted per alert rule (sent to Prometheus as `limit`; the chart says when it left some out).'),
  onlyRuleExpressions: z.preprocess((v) => (typeof v === 'string' ? !/^(false|0|no|off)$/i.test(v.trim()) : v), z.boolean()).default(true)
    .describe('Chart an alert\'s expression only when this Prometheus has an alerting rule of the alert\'s name with exactly that expression (`GET /api/v1/rules`), so a sender cannot make Debrief run queries of its choosing. Turn off when the rules live on another Prometheus than the one queried.'),
  refreshSeconds: z.coerce.number().int().min(1).default(300)
    .describe('An open incident\'s snapshot (and its alert rules) is taken again when it is older than this; a resolved incident is asked about once per change.'),
});

const outboundWebhookSchema = z.object({
  name: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, dot, dash, underscore').describe('Shown in delivery outcomes.'),
  url: z.url({ protocol: /^https?$/ }).describe('Receiver URL; notifications are POSTed here.'),
  secret: z.string().min(16, 'outbound webhook secrets must be at least 16 characters')
    .describe('HMAC-SHA256 signing secret (from env, e.g. `secret: ${DEBRIEF_WEBHOOK_SECRET_CHAT}`; never logged).'),
  audience: z.enum(['internal', 'customer']).default('internal')
    .describe('`customer` receivers get only what the public status page shows; `internal` also the incident title, severity and services.'),
});
const DEFAULT_OUTBOUND = { webhooks: [], maxAttempts: 6, baseDelayMs: 1000, maxDelayMs: 300_000, timeoutMs: 5000 };
const outboundSchema = z.object({
  webhooks: z.array(outboundWebhookSchema).default([]).describe('Receivers notified (signed JSON POST) when a report is published.'),
  maxAttempts: z.coerce.number().int().min(1).max(20).default(6).describe('Attempts per notification, the first included.'),
  baseDelayMs: z.coerce.number().int().min(0).default(1000).describe('First retry delay; doubles on each attempt (with jitter).'),
  maxDelayMs: z.coerce.number().int().min(0).default(300_000).describe('Longest wait between attempts.'),
  timeoutMs: z.coerce.number().int().positive().default(5000).describe('Timeout of each attempt.'),
});

const peopleTargetSchema = z.object({
  name: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, dot, dash, underscore').describe('Named by `teams` and `publishers`; shown in delivery outcomes.'),
  type: z.enum(['slack', 'slack-bot', 'webhook'])
    .describe('`slack`: a Slack incoming webhook (one channel); `slack-bot`: `chat.postMessage` with `slack.botToken` to the owning team\'s channel from the catalog (`teams[].slackChannel`), else `channel`, else `slack.fallbackChannel`; `webhook`: a signed JSON POST.'),
  url: z.url({ protocol: /^https?$/ }).optional().describe('`slack`: the incoming-webhook URL (a secret: take it from env, e.g. `url: ${SLACK_PAYMENTS_WEBHOOK}`); `webhook`: the receiver URL; `slack-bot`: none.'),
  channel: z.string().regex(/^[A-Za-z0-9#][A-Za-z0-9._-]{0,79}$/, 'a Slack channel id (C0123ABCD) or name (#payments)').optional()
    .describe('`slack-bot` only: the channel when the owning team has none in the catalog (and for publishers).'),
  secrets: z.array(z.string().min(16, 'notice webhook secrets must be at least 16 characters')).default([])
    .describe('`webhook` only: HMAC-SHA256 signing secrets; the body is signed with each (`X-Debrief-Signature: v1=<hex>,v1=<hex>`), so a receiver can switch secrets without a gap.'),
}).superRefine((target, ctx) => {
  if (target.type === 'webhook' && target.secrets.length === 0) ctx.addIssue({ code: 'custom', path: ['secrets'], message: 'a webhook target needs at least one secret' });
  if (target.type === 'slack' && target.secrets.length > 0) ctx.addIssue({ code: 'custom', path: ['secrets'], message: 'Slack incoming webhooks are not signed: leave secrets out' });
  if (target.type === 'slack-bot' && target.secrets.length > 0) ctx.addIssue({ code: 'custom', path: ['secrets'], message: 'Slack messages are not signed: leave secrets out' });
  if (target.type !== 'slack-bot' && !target.url) ctx.addIssue({ code: 'custom', path: ['url'], message: `a ${target.type} target needs a url` });
  if (target.type === 'slack-bot' && target.url) ctx.addIssue({ code: 'custom', path: ['url'], message: 'a slack-bot target posts with slack.botToken: leave url out' });
  if (target.type !== 'slack-bot' && target.channel) ctx.addIssue({ code: 'custom', path: ['channel'], message: 'only a slack-bot target takes a channel' });
});
const DEFAULT_NOTIFY = { targets: [], teams: {}, publishers: [], draftWaitingDays: 3, checkIntervalSeconds: 300, lookbackDays: 30 };
const notifySchema = z.object({
  targets: z.array(peopleTargetSchema).default([]).describe('Where notices to people go: Slack incoming webhooks and signed webhooks.'),
  teams: z.record(z.string().min(1), z.object({
    targets: z.array(z.string()).min(1).describe('Target names of this team (its channel).'),
    off: z.array(z.enum(NOTICE_KINDS)).default([]).describe('Notice kinds this team is not sent.'),
  })).default({}).describe('Team (as the service catalog\'s `team` names it) -> its targets; notices about an incident go to the teams owning its services.'),
  publishers: z.array(z.string()).default([]).describe('Target names told when a draft is submitted for review.'),
  draftWaitingDays: z.coerce.number().int().min(1).max(365).default(3).describe('A required post-mortem still a draft this many days after its incident ended is a `draft.waiting` notice (once).'),
  checkIntervalSeconds: z.coerce.number().int().min(10).default(300).describe('How often required post-mortems, waiting drafts and overdue action items are checked.'),
  lookbackDays: z.coerce.number().int().min(1).max(3650).default(30).describe('The periodic check looks at incidents active in this many past days.'),
}).superRefine((notify, ctx) => {
  const names = new Set<string>();
  notify.targets.forEach((target, index) => {
    if (names.has(target.name)) ctx.addIssue({ code: 'custom', path: ['targets', index, 'name'], message: `target "${target.name}" is declared twice` });
    names.add(target.name);
  });
  const check = (path: (string | number)[], name: string) => {
    if (!names.has(name)) ctx.addIssue({ code: 'custom', path, message: `no target named "${name}" in notify.targets` });
  };
  for (const [team, settings] of Object.entries(notify.teams)) settings.targets.forEach((name, index) => check(['teams', team, 'targets', index], name));
  notify.publishers.forEach((name, index) => check(['publishers', index], name));
});

const SLACK_CHANNEL = z.string().regex(/^[A-Za-z0-9#][A-Za-z0-9._-]{0,79}$/, 'a Slack channel id (C0123ABCD) or name (#payments)');
const DEFAULT_SLACK = {
  botToken: null, apiUrl: 'https://slack.com/api/', fallbackChannel: null, preselectEmoji: ['white_check_mark', 'pushpin'], importMarginMinutes: 30, maxImportMessages: 2000, timeoutMs: 10_000,
};
const slackSchema = z.object({
  botToken: z.string().regex(/^xox[bp]-[A-Za-z0-9-]{1,250}$/, 'a Slack bot token (xoxb-...)').nullable().default(null)
    .describe('Bot token of the Debrief Slack app (a secret: take it from env, `DEBRIEF_SLACK_BOT_TOKEN`; never logged). Needed by `slack-bot` notice targets and chat imports.'),
  apiUrl: z.url({ protocol: /^https?$/ }).default('https://slack.com/api/').describe('Slack Web API base URL (tests point it at a local server).'),
  fallbackChannel: SLACK_CHANNEL.nullable().default(null).describe('Where `slack-bot` notices go when the owning team has no channel in the catalog and the target names none.'),
  preselectEmoji: z.array(z.string().regex(/^[a-z0-9_+:-]{1,100}$/, 'an emoji name without colons')).default(['white_check_mark', 'pushpin'])
    .describe('Imported chat messages with a reaction of one of these emoji (names, no colons), or pinned, come pre-selected for the timeline.'),
  importMarginMinutes: z.coerce.number().int().min(0).max(24 * 60).default(30).describe('A channel import reads this long before the incident started and after it ended.'),
  maxImportMessages: z.coerce.number().int().min(1).max(20_000).default(2000).describe('Most messages one import reads (pages stop there).'),
  timeoutMs: z.coerce.number().int().positive().default(10_000).describe('Timeout of each Slack Web API call attempt.'),
});

const DEFAULT_STATUS = { title: 'Service status', publicUrl: null };
const statusSchema = z.object({
  title: z.string().min(1).max(200).default('Service status').describe('Title of the public status page and its Atom feed.'),
  publicUrl: z.url({ protocol: /^https?$/ }).nullable().default(null)
    .describe('Public base URL of Debrief (Atom feed links and ids, links in notifications); without it the feed links are root-relative and notifications carry no report link (never built from the request Host header).'),
});

const DEFAULT_STATS = { gaugeWindowDays: 30, gaugeCacheSeconds: 60 };
const statsSchema = z.object({
  gaugeWindowDays: z.coerce.number().int().min(1).max(3650).default(30).describe('The MTTA/MTTR gauges on /metrics cover incidents started in this many past days.'),
  gaugeCacheSeconds: z.coerce.number().int().min(0).default(60).describe('The gauges are recomputed at most this often.'),
});

// --- PagerDuty REST enrichment/backfill and Alertmanager reconciliation ---
const DEFAULT_PAGERDUTY = { apiBaseUrl: 'https://api.pagerduty.com', serviceMap: {}, enrichmentConcurrency: 2, timeoutMs: 10_000 };
const pagerdutySchema = z.object({
  restToken: z.string().min(1).optional()
    .describe('PagerDuty REST API key (a read-only key is enough). Enables enrichment of webhook-seen incidents and `debrief pagerduty backfill`. Secret: set it through the environment; never logged.'),
  apiBaseUrl: z.url({ protocol: /^https?$/ }).default('https://api.pagerduty.com')
    .describe('PagerDuty REST API base URL; `https://api.eu.pagerduty.com` for the EU service region.'),
  serviceMap: z.record(z.string().min(1), z.string().min(1)).default({})
    .describe('PagerDuty service id or name -> catalog service, for pages that carry no Alertmanager dedup key (adds to the catalog\'s `pagerdutyServices`).'),
  enrichmentConcurrency: z.coerce.number().int().min(1).max(8).default(2)
    .describe('PagerDuty incidents enriched at the same time (each makes its REST calls one after the other).'),
  timeoutMs: z.coerce.number().int().min(100).default(10_000)
    .describe('Timeout of each PagerDuty REST request (pdjs\'s own quick 429 retries included); up to 3 retries with backoff follow.'),
});

// --- Circuit breaker of outbound calls ---
const DEFAULT_CIRCUIT_BREAKER = { failureThreshold: 5, openSeconds: 30 };
const circuitBreakerSchema = z.object({
  failureThreshold: z.coerce.number().int().min(1).default(5)
    .describe('Consecutive failed attempts (timeouts, network errors, 5xx, 429) after which calls to one target fail at once.'),
  openSeconds: z.coerce.number().positive().default(30).describe('How long an open circuit refuses calls before one trial call is let through.'),
});

const reconcileTargetSchema = z.object({
  instance: z.string().min(1).describe('Connector instance this Alertmanager feeds by webhook (an `alertmanager` instance, usually `alertmanager`).'),
  url: z.url({ protocol: /^https?$/ }).describe('Alertmanager base URL, e.g. `http://alertmanager:9093`.'),
  intervalSeconds: z.coerce.number().min(1).default(60).describe('How often `GET /api/v2/alerts/groups` is polled.'),
  graceSeconds: z.coerce.number().min(0).default(300)
    .describe('How long an alert Debrief believes firing must be missing from Alertmanager before it is marked resolved.'),
  bearerToken: z.string().min(1).optional().describe('Sent as `Authorization: Bearer` (e.g. `${DEBRIEF_AM_API_TOKEN}`); never logged.'),
  receivers: z.array(z.string().min(1)).min(1).optional()
    .describe('Only alerts routed to these Alertmanager receivers are ingested (the ones that notify Debrief); default all.'),
  timeoutSeconds: z.coerce.number().positive().default(10).describe('Timeout of each poll request.'),
});
const reconcileSchema = z.object({
  alertmanager: z.array(reconcileTargetSchema).default([])
    .describe('Alertmanagers to reconcile with (pull); empty: off. One entry per instance.')
    .refine((targets) => new Set(targets.map((t) => t.instance)).size === targets.length, 'each instance may be reconciled with one Alertmanager only'),
});
export type ReconcileTargetConfig = z.infer<typeof reconcileTargetSchema>;

// --- action items in the team's tracker ---
const trackerStatusRuleSchema = z.object({
  state: z.string().min(1).optional().describe('The tracker\'s state name (GitHub `open`/`closed`, a Jira status); absent: any.'),
  category: z.string().min(1).optional().describe('The tracker\'s category (GitHub `state_reason`: `completed`, `not_planned`, `reopened`; a Jira status category key); absent: any.'),
  status: z.enum(ACTION_ITEM_STATUSES).describe('The action item status it means.'),
}).refine((rule) => rule.state !== undefined || rule.category !== undefined, 'name a state, a category or both');

const githubTrackerSchema = z.object({
  baseUrl: z.url({ protocol: /^https?$/ }).default('https://api.github.com')
    .describe('GitHub REST API root; GitHub Enterprise Server: `https://HOST/api/v3`.'),
  token: z.string().min(1).describe('A token that may create and read issues in `repo` (e.g. `${DEBRIEF_GITHUB_TOKEN}`; fine-grained: Issues read and write); never logged.'),
  repo: z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\/[A-Za-z0-9._-]+$/, 'must be owner/name').describe('The repository issues are made in, `owner/name`.'),
  labels: z.array(z.string().min(1)).default([]).describe('Labels put on every issue Debrief makes.'),
  markerLabel: z.string().min(1).default('debrief')
    .describe('The label every issue Debrief makes carries; a retried create lists the issues with it to find one an earlier attempt made (so keep it on those issues).'),
  assignees: z.record(z.string(), z.string().min(1)).default({})
    .describe('Action item owner -> GitHub login of the assignee; an owner not listed leaves the issue unassigned.'),
  timeoutSeconds: z.coerce.number().positive().default(10).describe('Timeout of each GitHub request.'),
  retries: z.coerce.number().int().min(0).max(10).default(3).describe('Retries of a request GitHub answered 429/5xx or did not answer (Retry-After honoured).'),
  statusMap: z.array(trackerStatusRuleSchema).optional()
    .describe('Which issue states mean which action item status, first match wins. Default: closed as `not_planned` -> wont_do, closed -> done, open -> open (reopened).'),
});
export type GitHubTrackerConfig = z.infer<typeof githubTrackerSchema>;

// The Jira client's own settings (site, deployment, credentials, project, issue fields) and what
// the follow-through adds around it, as for GitHub: retries and the status mapping.
const jiraTrackerSchema = z.intersection(jiraTrackerSettingsSchema, z.object({
  retries: z.coerce.number().int().min(0).max(10).default(3)
    .describe('Retries of a read Jira answered 429/5xx or did not answer (Retry-After honoured); a create is never retried blindly, it is looked for first.'),
  statusMap: z.array(trackerStatusRuleSchema).optional()
    .describe('Which Jira statuses mean which action item status, first match wins. Default: a status named "Won\'t Do" -> wont_do, status category `done` -> done, `indeterminate` -> in_progress, `new` -> open.'),
}));
export type JiraTrackerConfig = z.infer<typeof jiraTrackerSchema>;

const DEFAULT_TRACKERS = { reconcileSeconds: 600, reopenWindowDays: 30 };
const trackersSchema = z.object({
  github: githubTrackerSchema.optional().describe('GitHub Issues: "create in tracker" and state flowing back; absent: off.'),
  jira: jiraTrackerSchema.optional().describe('Jira Cloud or Data Center: "create in tracker" and state flowing back; absent: off.'),
  reopenWindowDays: z.coerce.number().int().min(0).max(3650).default(30)
    .describe('The reconcile also reads the issues of linked items finished (done, won\'t do) within this many days, so a reopen whose webhook was missed reopens the item; 0: only items not done.'),
  reconcileSeconds: z.coerce.number().int().min(0).default(600)
    .describe('How often the open linked action items are checked against their tracker, catching missed webhooks; 0: never.'),
});

// --- MongoDB store connection settings ---
const DEFAULT_MONGO_STORE = { serverSelectionTimeoutMs: 5000, connectTimeoutMs: 5000, pingTimeoutMs: 2000 };
const mongoStoreSchema = z.object({
  serverSelectionTimeoutMs: z.coerce.number().int().positive().default(5000)
    .describe('How long a MongoDB operation waits for a usable server (the driver default, 30 s, would hang webhooks and health checks).'),
  connectTimeoutMs: z.coerce.number().int().positive().default(5000).describe('TCP connect timeout to each MongoDB server.'),
  pingTimeoutMs: z.coerce.number().int().positive().default(2000).describe('Readiness (`/readyz`) gives up on a MongoDB `ping` after this long.'),
});

export const configSchema = z.object({
  server: z.object({
    host: z.string().default('0.0.0.0').describe('Address to listen on.'),
    port: z.coerce.number().int().min(0).max(65535).default(8080).describe('TCP port (0 picks a free one).'),
    webhookBodyLimitBytes: z.coerce.number().int().positive().default(5 * 1024 * 1024)
      .describe('Largest webhook body accepted; larger bodies get 413.'),
    maxConnections: z.coerce.number().int().min(1).default(DEFAULT_MAX_CONNECTIONS)
      .describe('Most HTTP connections open at once (each costs memory and a file descriptor). Past it, a new connection closes the oldest one that is not answering a request (an idle or stalled client); only when all are answering is it refused.'),
  }).default({ host: '0.0.0.0', port: 8080, webhookBodyLimitBytes: 5 * 1024 * 1024, maxConnections: DEFAULT_MAX_CONNECTIONS }),
  store: z.object({
    url: z.string().default('sqlite:./data/debrief.db')
      .refine((u) => /^(sqlite:|mongodb(\+srv)?:\/\/)/.test(u), 'must start with sqlite: or mongodb://')
      .describe('Where Debrief keeps its data: `sqlite:<file>` (embedded default) or `mongodb://...`.'),
    // --- MongoDB connection; options written in the URL's query win over these ---
    mongo: mongoStoreSchema.default(DEFAULT_MONGO_STORE),
  }).default({ url: 'sqlite:./data/debrief.db', mongo: DEFAULT_MONGO_STORE }),
  api: z.object({
    tokens: z.array(apiTokenSchema).default([]).describe('API tokens; without any, every API call answers 401.'),
  }).default({ tokens: [] }),
  instances: z.array(instanceSchema).default([])
    .describe('Connector instances receiving webhooks. `alertmanager`, `pagerduty` and `changes` exist by default.'),
  correlation: correlationSchema.prefault({}),
  ignore: ignoreSchema.default(DEFAULT_IGNORE)
    .describe('Alerts that are not about an outage (heartbeats, informational): their webhooks are stored as usual, processing leaves them out of incidents.'),
  catalog: z.object({
    file: z.string().min(1).nullable().default(null)
      .describe('Service catalog YAML (`services: [{ name, team, customerFacing, dependsOn, pagerdutyServices }]`). Null: `config/services.yaml` when it exists, else an empty catalog. A file named here must exist.'),
  }).default({ file: null }),
  impact: z.object({
    serviceLabels: z.array(z.string().min(1)).min(1).default(['service', 'app', 'job'])
      .describe('Label names that name the affected service, first present wins.'),
  }).default({ serviceLabels: ['service', 'app', 'job'] }),
  inbox: z.object({
    leaseSeconds: z.coerce.number().positive().default(30).describe('How long a claimed inbox entry stays with one process before another may retry it.'),
    pollIntervalMs: z.coerce.number().int().positive().default(1000).describe('How often the inbox is checked for unprocessed or expired entries.'),
    maxAttempts: z.coerce.number().int().positive().default(5).describe('Processing attempts before an entry becomes a dead letter.'),
    worker: z.preprocess((v) => (typeof v === 'string' ? !/^(false|0|no|off)$/i.test(v.trim()) : v), z.boolean()).default(true)
      .describe('Process the inbox in a worker thread with its own connection (SQLite files only), so processing does not slow down accepting webhooks.'),
    ingestPriority: z.coerce.number().min(0).max(100).default(DEFAULT_INGEST_PRIORITY)
      .describe(`While webhooks are being answered, inbox processing pauses after each entry for this many times as long as the entry took (at most 100 ms), so a flood of webhooks is accepted first and processed afterwards. 0: never pause.`),
    entryTimeoutSeconds: z.coerce.number().positive().max(3600).default(DEFAULT_ENTRY_TIMEOUT_SECONDS)
      .describe('Longest an inbox entry may be processed (in the worker thread) before the worker is stopped and the entry kept as a dead letter with the reason, so no input can stall processing. Keep it well above the store\'s lock wait (5 s); a 5 MiB body takes a few seconds.'),
  }).default({ leaseSeconds: 30, pollIntervalMs: 1000, maxAttempts: 5, worker: true, ingestPriority: DEFAULT_INGEST_PRIORITY, entryTimeoutSeconds: DEFAULT_ENTRY_TIMEOUT_SECONDS }),
  reports: z.object({
    policy: postmortemPolicySchema.default(DEFAULT_POSTMORTEM_POLICY)
      .describe('Which incidents need a post-mortem; every condition set must hold. People can request or waive one for any incident.'),
  }).default({ policy: DEFAULT_POSTMORTEM_POLICY }),
  prometheus: prometheusSchema.default(DEFAULT_PROMETHEUS).describe('Metric snapshots in reports (optional).'),
  outbound: outboundSchema.default(DEFAULT_OUTBOUND).describe('Signed notifications when a report is published.'),
  notify: notifySchema.default(DEFAULT_NOTIFY).describe('Notices to people (Slack, signed webhooks): a post-mortem is required, a draft waits, a draft is submitted, action items are overdue, a post-mortem is published. Off without targets.'),
  slack: slackSchema.default(DEFAULT_SLACK).describe('The Debrief Slack app (bot token): notices through `chat.postMessage` and chat imported onto the timeline. Off without a token.'),
  status: statusSchema.default(DEFAULT_STATUS).describe('The public status page (`/status`, `/status/feed.atom`).'),
  stats: statsSchema.default(DEFAULT_STATS).describe('Incident response-time statistics.'),
  pagerduty: pagerdutySchema.default(DEFAULT_PAGERDUTY).describe('PagerDuty REST API access (optional).'),
  changes: z.object({
    windowMinutes: z.coerce.number().positive().max(7 * 24 * 60).default(120)
      .describe('A change (deploy, config change...) is linked to an incident as a suspect when it happened this long before the incident\'s first alert, or during the incident, on a service of the incident or one it is joined to in the catalog.'),
  }).default({ windowMinutes: 120 }).describe('Linking changes to incidents.'),
  reconcile: reconcileSchema.default({ alertmanager: [] }).describe('Pull-based reconciliation with Alertmanager (off by default).'),
  trackers: trackersSchema.default(DEFAULT_TRACKERS).describe('Action items in the team\'s tracker (GitHub Issues); off until a tracker is configured.'),
  circuitBreaker: circuitBreakerSchema.default(DEFAULT_CIRCUIT_BREAKER)
    .describe('Per outbound target (`pagerduty`, `prometheus`, `outbound:<name>`, `alertmanager:<instance>`, `slack`): stop calling a target that keeps failing.'),
  security: z.object({
    failedAuthPerMinute: z.coerce.number().int().positive().default(20)
      .describe('Failed authentications (401; 403 on webhooks) allowed per client IP, credential presented and minute; then that credential gets 429 from that IP until the minute ends. Valid credentials are never refused.'),
    statusPagePerMinute: z.coerce.number().int().positive().default(120)
      .describe('Requests per client IP and minute to the public status page (`/status...`); more get 429 for that client only. Behind a reverse proxy, set `trustProxy`, or all clients share the proxy\'s IP.'),
    jsonMaxDepth: z.coerce.number().int().min(4).max(1000).default(64)
      .describe('Deepest nesting of objects and arrays accepted in any JSON body (API and webhooks); deeper gets 400.'),
    apiJsonMaxKeys: z.coerce.number().int().positive().default(10_000)
      .describe('Most object keys plus array items in one API JSON body; more get 400.'),
    webhookJsonMaxKeys: z.coerce.number().int().positive().default(250_000)
      .describe('Most object keys plus array items in one webhook JSON body (10,000 alerts fit); more get 400.'),
    trustProxy: z.union([z.boolean(), z.number().int().min(0), z.string().min(1)]).default(false)
      .describe('Express "trust proxy": set (e.g. `1`, `loopback`, a CIDR list) when Debrief is behind a reverse proxy, so rate limits see client addresses from X-Forwarded-For. Name the proxy (hop count or addresses) rather than `true` when clients can also reach Debrief directly: they could then set X-Forwarded-For themselves.'),
  }).default({ failedAuthPerMinute: 20, statusPagePerMinute: 120, jsonMaxDepth: 64, apiJsonMaxKeys: 10_000, webhookJsonMaxKeys: 250_000, trustProxy: false })
    .describe('Request limits and rate limits.'),
  log: z.object({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('Log level.'),
  }).default({ level: 'info' }),
}).strict().superRefine((config, ctx) => {
  // Deliveries name their target; one name must mean one receiver (restarts resume by name).
  const outbound = new Set(config.outbound.webhooks.map((webhook) => webhook.name));
  config.notify.targets.forEach((target, index) => {
    if (outbound.has(target.name)) ctx.addIssue({ code: 'custom', path: ['notify', 'targets', index, 'name'], message: `"${target.name}" is also an outbound webhook's name` });
    if (target.type === 'slack-bot' && !config.slack.botToken) ctx.addIssue({ code: 'custom', path: ['notify', 'targets', index, 'type'], message: 'a slack-bot target needs slack.botToken (DEBRIEF_SLACK_BOT_TOKEN)' });
  });
});

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

/** Environment variables and the config key each one sets. Listed in the README. */
export interface EnvBinding {
  env: string;
  path: string;
  description: string;
  /** How the raw string becomes a config value. */
  parse: (raw: string) => unknown;
}

const list = (raw: string) => raw.split(',').map((s) => s.trim()).filter(Boolean);

export const ENV_BINDINGS: EnvBinding[] = [
  { env: 'DEBRIEF_HOST', path: 'server.host', description: 'Address to listen on', parse: (s) => s },
  { env: 'DEBRIEF_PORT', path: 'server.port', description: 'TCP port', parse: (s) => s },
  { env: 'DEBRIEF_WEBHOOK_BODY_LIMIT_BYTES', path: 'server.webhookBodyLimitBytes', description: 'Largest webhook body', parse: (s) => s },
  { env: 'DEBRIEF_MAX_CONNECTIONS', path: 'server.maxConnections', description: 'Most HTTP connections open at once', parse: (s) => s },
  { env: 'DEBRIEF_STORE_URL', path: 'store.url', description: '`sqlite:<file>` or `mongodb://...`', parse: (s) => s },
  {
    env: 'DEBRIEF_API_TOKENS',
    path: 'api.tokens',
    description: 'Comma-separated `name:role:token` triples (role: viewer, editor, publisher, admin)',
    parse: (raw) => list(raw).map((triple) => {
      const [name, role, ...rest] = triple.split(':');
      return { name, role, token: rest.join(':') };
    }),
  },
  { env: 'DEBRIEF_ALERTMANAGER_BEARER_TOKENS', path: 'instances[alertmanager].credentials.bearerTokens', description: 'Comma-separated bearer tokens accepted on /webhooks/alertmanager', parse: list },
  {
    env: 'DEBRIEF_ALERTMANAGER_BASIC_AUTH',
    path: 'instances[alertmanager].credentials.basicAuth',
    description: 'Comma-separated `user:password` pairs accepted on /webhooks/alertmanager',
    parse: (raw) => list(raw).map((pair) => {
      const i = pair.indexOf(':');
      return { username: i < 0 ? pair : pair.slice(0, i), password: i < 0 ? '' : pair.slice(i + 1) };
    }),
  },
  { env: 'DEBRIEF_PAGERDUTY_SIGNING_SECRETS', path: 'instances[pagerduty].credentials.signingSecrets', description: 'Comma-separated PagerDuty V3 webhook signing secrets', parse: list },
  { env: 'DEBRIEF_CHANGES_GITHUB_SECRETS', path: 'instances[changes].credentials.githubSecrets', description: 'Comma-separated GitHub webhook secrets accepted on /webhooks/changes', parse: list },
  { env: 'DEBRIEF_CHANGES_BEARER_TOKENS', path: 'instances[changes].credentials.bearerTokens', description: 'Comma-separated bearer tokens for generic change events on /webhooks/changes', parse: list },
  { env: 'DEBRIEF_GITHUB_ISSUES_SECRETS', path: 'instances[github-issues].credentials.githubSecrets', description: 'Comma-separated GitHub webhook secrets accepted on /webhooks/github-issues (issue states of action items)', parse: list },
  { env: 'DEBRIEF_GITHUB_TOKEN', path: 'trackers.github.token', description: 'GitHub token that creates and reads action items\' issues (with `trackers.github.repo`)', parse: (s) => s },
  { env: 'DEBRIEF_GITHUB_REPO', path: 'trackers.github.repo', description: 'GitHub repository (`owner/name`) action items\' issues are made in', parse: (s) => s },
  { env: 'DEBRIEF_JIRA_WEBHOOK_SECRETS', path: 'instances[jira].credentials.webhookSecrets', description: 'Comma-separated Jira webhook secrets (HMAC `X-Hub-Signature`) accepted on /webhooks/jira (issue states of action items)', parse: list },
  { env: 'DEBRIEF_JIRA_TOKEN', path: 'trackers.jira.auth.token', description: 'Jira API token (Cloud, with `trackers.jira.auth.email`) or personal access token (Data Center) that creates and reads action items\' issues', parse: (s) => s },
  { env: 'DEBRIEF_CHANGES_WINDOW_MINUTES', path: 'changes.windowMinutes', description: 'How long before an incident\'s first alert a change is still a suspect', parse: (s) => s },
  { env: 'DEBRIEF_CORRELATION_GROUP_WINDOW_MINUTES', path: 'correlation.groupWindowMinutes', description: 'Same-group correlation window', parse: (s) => s },
  { env: 'DEBRIEF_CORRELATION_QUIET_PERIOD_MINUTES', path: 'correlation.quietPeriodMinutes', description: 'Quiet period after an incident\'s last alert resolved', parse: (s) => s },
  { env: 'DEBRIEF_CORRELATION_REOPEN_WINDOW_MINUTES', path: 'correlation.reopenWindowMinutes', description: 'Reopen window after the quiet period', parse: (s) => s },
  { env: 'DEBRIEF_IGNORE_ALERTNAMES', path: 'ignore.alertnames', description: 'Comma-separated heartbeat and informational alert names that never become incidents', parse: list },
  { env: 'DEBRIEF_CATALOG_FILE', path: 'catalog.file', description: 'Service catalog YAML file', parse: (s) => s },
  { env: 'DEBRIEF_SERVICE_LABELS', path: 'impact.serviceLabels', description: 'Comma-separated label names naming the service', parse: list },
  { env: 'DEBRIEF_LOG_LEVEL', path: 'log.level', description: 'Log level', parse: (s) => s },
  { env: 'DEBRIEF_INBOX_WORKER', path: 'inbox.worker', description: 'Process the inbox in a worker thread (SQLite files)', parse: (s) => s },
  { env: 'DEBRIEF_INBOX_INGEST_PRIORITY', path: 'inbox.ingestPriority', description: 'How strongly inbox processing gives way to webhooks', parse: (s) => s },
  { env: 'DEBRIEF_INBOX_ENTRY_TIMEOUT_SECONDS', path: 'inbox.entryTimeoutSeconds', description: 'Longest an inbox entry may be processed before it is stopped and dead-lettered', parse: (s) => s },
  { env: 'DEBRIEF_FAILED_AUTH_PER_MINUTE', path: 'security.failedAuthPerMinute', description: 'Failed authentications per client IP and credential and minute before that credential gets 429', parse: (s) => s },
  { env: 'DEBRIEF_STATUS_PAGE_PER_MINUTE', path: 'security.statusPagePerMinute', description: 'Status page requests per client IP and minute before 429', parse: (s) => s },
  {
    env: 'DEBRIEF_TRUST_PROXY', path: 'security.trustProxy', description: 'Express trust proxy (`true`, a hop count, `loopback`, CIDRs) behind a reverse proxy',
    parse: (s) => (s === 'true' ? true : s === 'false' ? false : /^\d+$/.test(s) ? Number(s) : s),
  },
  { env: 'DEBRIEF_PAGERDUTY_REST_TOKEN', path: 'pagerduty.restToken', description: 'PagerDuty REST API key (read-only is enough) for enrichment and backfill', parse: (s) => s },
  { env: 'DEBRIEF_PAGERDUTY_API_BASE_URL', path: 'pagerduty.apiBaseUrl', description: 'PagerDuty REST API base URL (EU: https://api.eu.pagerduty.com)', parse: (s) => s },
  { env: 'DEBRIEF_PROMETHEUS_URL', path: 'prometheus.baseUrl', description: 'Prometheus base URL for metric snapshots and the rule-based impact start in reports', parse: (s) => s },
  {
    env: 'DEBRIEF_OUTBOUND_WEBHOOKS',
    path: 'outbound.webhooks',
    description: 'JSON array of `{ "name", "url", "secret", "audience" }` receivers notified when a report is published',
    parse: (raw) => {
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        return raw; // reported by the schema as "expected array"
      }
    },
  },
  { env: 'DEBRIEF_SLACK_BOT_TOKEN', path: 'slack.botToken', description: 'Bot token of the Debrief Slack app (`xoxb-...`) for `slack-bot` notices and chat imports', parse: (s) => s },
  { env: 'DEBRIEF_SLACK_API_URL', path: 'slack.apiUrl', description: 'Slack Web API base URL', parse: (s) => s },
  { env: 'DEBRIEF_SLACK_FALLBACK_CHANNEL', path: 'slack.fallbackChannel', description: 'Slack channel for `slack-bot` notices when the owning team has none in the catalog', parse: (s) => s },
  { env: 'DEBRIEF_PUBLIC_URL', path: 'status.publicUrl', description: 'Public base URL of Debrief (Atom feed links and ids, notification links); without it nothing is built from the request Host header', parse: (s) => s },
  { env: 'DEBRIEF_STATUS_TITLE', path: 'status.title', description: 'Title of the public status page', parse: (s) => s },
  { env: 'DEBRIEF_POSTMORTEM_MIN_SEVERITY', path: 'reports.policy.minSeverity', description: 'Post-mortem policy: minimum severity (`any`: no condition)', parse: (s) => (s === 'any' ? null : s) },
  { env: 'DEBRIEF_POSTMORTEM_MIN_DURATION_MINUTES', path: 'reports.policy.minDurationMinutes', description: 'Post-mortem policy: minimum duration in minutes', parse: (s) => s },
  { env: 'DEBRIEF_POSTMORTEM_CUSTOMER_FACING', path: 'reports.policy.customerFacing', description: 'Post-mortem policy: only customer-facing incidents (`true`/`false`)', parse: (s) => s === 'true' },
  { env: 'DEBRIEF_POSTMORTEM_PAGED_ONLY', path: 'reports.policy.pagedOnly', description: 'Post-mortem policy: only paged incidents (`true`/`false`)', parse: (s) => s === 'true' },
];

/** The configured instance `id` when it is an instance of `connector` (its credentials typed), else undefined. */
export function findInstance<K extends ConnectorId>(config: Pick<Config, 'instances'>, id: string, connector: K): Extract<InstanceConfig, { connector: K }> | undefined {
  return config.instances.find((i): i is Extract<InstanceConfig, { connector: K }> => i.id === id && i.connector === connector);
}

/** Instances that exist even when the config file names none. */
export const DEFAULT_INSTANCES = [
  { id: 'alertmanager', connector: 'alertmanager' },
  { id: 'pagerduty', connector: 'pagerduty' },
  { id: 'changes', connector: 'changes' },
  { id: 'github-issues', connector: 'github-issues' },
  { id: 'jira', connector: 'jira' },
] as const;
