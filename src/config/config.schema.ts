import { z } from 'zod';

/**
 * The one schema that validates Debrief's configuration: `config/debrief.yaml` (optional)
 * overlaid with environment variables (see `ENV_BINDINGS`). Every key has a description and
 * a default, except secrets, which are never defaulted.
 */

export const ROLES = ['viewer', 'editor', 'publisher', 'admin'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

const apiTokenSchema = z.object({
  name: z.string().min(1).describe('Who uses the token; recorded as the actor of every write.'),
  role: roleSchema.default('viewer').describe('What the token may do: viewer < editor < publisher < admin.'),
  token: z.string().min(16, 'API tokens must be at least 16 characters').describe('The secret (from env; never logged).'),
});

const credentialsSchema = z.object({
  bearerTokens: z.array(z.string().min(16, 'webhook bearer tokens must be at least 16 characters')).default([])
    .describe('Accepted `Authorization: Bearer` tokens (Alertmanager `http_config.authorization`).'),
  basicAuth: z.array(z.object({ username: z.string().min(1), password: z.string().min(12, 'basic-auth passwords must be at least 12 characters') })).default([])
    .describe('Accepted basic-auth pairs (Alertmanager `http_config.basic_auth`).'),
  signingSecrets: z.array(z.string().min(1)).default([])
    .describe('Webhook signing secrets (PagerDuty V3); several are accepted during rotation.'),
});

const instanceSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and dashes').describe('Path segment: POST /webhooks/<id>.'),
  connector: z.string().describe('Which connector parses this instance\'s webhooks (`alertmanager`, `pagerduty`).'),
  credentials: credentialsSchema.default({ bearerTokens: [], basicAuth: [], signingSecrets: [] }),
});
export type InstanceConfig = z.infer<typeof instanceSchema>;

export const configSchema = z.object({
  server: z.object({
    host: z.string().default('0.0.0.0').describe('Address to listen on.'),
    port: z.coerce.number().int().min(0).max(65535).default(8080).describe('TCP port (0 picks a free one).'),
    webhookBodyLimitBytes: z.coerce.number().int().positive().default(5 * 1024 * 1024)
      .describe('Largest webhook body accepted; larger bodies get 413.'),
  }).default({ host: '0.0.0.0', port: 8080, webhookBodyLimitBytes: 5 * 1024 * 1024 }),
  store: z.object({
    url: z.string().default('sqlite:./data/debrief.db')
      .refine((u) => /^(sqlite:|mongodb(\+srv)?:\/\/)/.test(u), 'must start with sqlite: or mongodb://')
      .describe('Where Debrief keeps its data: `sqlite:<file>` (embedded default) or `mongodb://...`.'),
  }).default({ url: 'sqlite:./data/debrief.db' }),
  api: z.object({
    tokens: z.array(apiTokenSchema).default([]).describe('API tokens; without any, every API call answers 401.'),
  }).default({ tokens: [] }),
  instances: z.array(instanceSchema).default([])
    .describe('Connector instances receiving webhooks. `alertmanager` and `pagerduty` exist by default.'),
  correlation: z.object({
    groupWindowMinutes: z.coerce.number().positive().default(60)
      .describe('Alerts of the same Alertmanager group join an incident while they start within this gap of its latest activity.'),
  }).default({ groupWindowMinutes: 60 }),
  impact: z.object({
    serviceLabels: z.array(z.string().min(1)).min(1).default(['service', 'app', 'job'])
      .describe('Label names that name the affected service, first present wins.'),
  }).default({ serviceLabels: ['service', 'app', 'job'] }),
  inbox: z.object({
    leaseSeconds: z.coerce.number().positive().default(30).describe('How long a claimed inbox entry stays with one process before another may retry it.'),
    pollIntervalMs: z.coerce.number().int().positive().default(1000).describe('How often the inbox is checked for unprocessed or expired entries.'),
    maxAttempts: z.coerce.number().int().positive().default(5).describe('Processing attempts before an entry becomes a dead letter.'),
  }).default({ leaseSeconds: 30, pollIntervalMs: 1000, maxAttempts: 5 }),
  log: z.object({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('Log level.'),
  }).default({ level: 'info' }),
}).strict();

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
  { env: 'DEBRIEF_CORRELATION_GROUP_WINDOW_MINUTES', path: 'correlation.groupWindowMinutes', description: 'Same-group correlation window', parse: (s) => s },
  { env: 'DEBRIEF_SERVICE_LABELS', path: 'impact.serviceLabels', description: 'Comma-separated label names naming the service', parse: list },
  { env: 'DEBRIEF_LOG_LEVEL', path: 'log.level', description: 'Log level', parse: (s) => s },
];

/** Instances that exist even when the config file names none. */
export const DEFAULT_INSTANCES = [
  { id: 'alertmanager', connector: 'alertmanager' },
  { id: 'pagerduty', connector: 'pagerduty' },
] as const;
