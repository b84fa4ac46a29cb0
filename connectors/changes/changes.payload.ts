import { z } from 'zod';
import { CHANGE_KINDS } from '../../src/domain/changes/change';
import { parseRfc3339 } from '../shared/rfc3339';

/**
 * What the `changes` connector accepts: GitHub webhooks about deployments, releases and pushes,
 * and Debrief's own generic change event. Both are forgiving of fields they do not read.
 */

const rfc3339 = z.string().refine((text) => {
  const parsed = parseRfc3339(text);
  return parsed.ok && parsed.iso !== null;
}, 'expected an RFC 3339 timestamp, e.g. 2026-03-02T10:00:00Z');

// ---------------------------------------------------------------- GitHub

const githubUser = z.looseObject({ login: z.string() });

const githubRepository = z.looseObject({
  full_name: z.string().min(1),
  html_url: z.string().optional(),
  default_branch: z.string().optional(),
});

const githubDeployment = z.looseObject({
  id: z.number().int(),
  sha: z.string(),
  ref: z.string(),
  task: z.string().optional(),
  environment: z.string(),
  description: z.string().nullable().optional(),
  creator: githubUser.nullable().optional(),
  created_at: rfc3339,
  updated_at: rfc3339.optional(),
  payload: z.unknown().optional(),
});

const githubDeploymentStatus = z.looseObject({
  id: z.number().int(),
  state: z.string(),
  environment: z.string().optional(),
  description: z.string().nullable().optional(),
  target_url: z.string().nullable().optional(),
  log_url: z.string().nullable().optional(),
  creator: githubUser.nullable().optional(),
  created_at: rfc3339,
  updated_at: rfc3339.optional(),
});

export const githubDeploymentStatusEventSchema = z.looseObject({
  action: z.string().optional(),
  deployment_status: githubDeploymentStatus,
  deployment: githubDeployment,
  repository: githubRepository,
  sender: githubUser,
});

export const githubDeploymentEventSchema = z.looseObject({
  action: z.string().optional(),
  deployment: githubDeployment,
  repository: githubRepository,
  sender: githubUser,
});

export const githubReleaseEventSchema = z.looseObject({
  action: z.string(),
  release: z.looseObject({
    id: z.number().int(),
    tag_name: z.string(),
    name: z.string().nullable().optional(),
    html_url: z.string().optional(),
    draft: z.boolean().optional(),
    prerelease: z.boolean().optional(),
    created_at: rfc3339,
    published_at: rfc3339.nullable().optional(),
    author: githubUser.nullable().optional(),
  }),
  repository: githubRepository,
  sender: githubUser,
});

export const githubPushEventSchema = z.looseObject({
  ref: z.string(),
  before: z.string(),
  after: z.string(),
  deleted: z.boolean().optional(),
  compare: z.string().optional(),
  head_commit: z.looseObject({
    id: z.string(),
    message: z.string(),
    timestamp: rfc3339,
    url: z.string().optional(),
    author: z.looseObject({ name: z.string().optional(), username: z.string().optional() }).optional(),
  }).nullable().optional(),
  pusher: z.looseObject({ name: z.string().optional() }).optional(),
  repository: githubRepository,
  sender: githubUser,
});

export const githubPingEventSchema = z.looseObject({ zen: z.string().optional(), hook_id: z.number().int().optional() });

/** Any other GitHub event: recognised by its `sender`, acknowledged and ignored. */
export const githubOtherEventSchema = z.looseObject({ sender: githubUser });

export type GitHubDeploymentStatusEvent = z.output<typeof githubDeploymentStatusEventSchema>;
export type GitHubDeploymentEvent = z.output<typeof githubDeploymentEventSchema>;
export type GitHubReleaseEvent = z.output<typeof githubReleaseEventSchema>;
export type GitHubPushEvent = z.output<typeof githubPushEventSchema>;

// ---------------------------------------------------------------- generic

/** Debrief's generic change event: one JSON object per change, documented in README.md. */
export const genericChangeSchema = z.looseObject({
  id: z.string().min(1).max(200).optional()
    .describe('The sender\'s id of this change; a second event with the same id updates the change instead of adding one.'),
  service: z.string().min(1).max(200).describe('The service changed, as alerts name it (or as the catalog maps it).'),
  environment: z.string().min(1).max(200).nullable().optional().describe('Environment changed (`production`).'),
  cluster: z.string().min(1).max(200).nullable().optional().describe('Cluster changed; used when `environment` is absent.'),
  kind: z.enum(CHANGE_KINDS).describe('What sort of change it is.'),
  version: z.string().min(1).max(200).nullable().optional().describe('Version, tag or commit now running.'),
  summary: z.string().min(1).max(2000).describe('One line saying what changed.'),
  author: z.string().min(1).max(200).nullable().optional().describe('Who made the change.'),
  url: z.url({ protocol: /^https?$/ }).nullable().optional().describe('Link to the change (pipeline run, pull request, dashboard).'),
  time: rfc3339.describe('When the change happened (RFC 3339).'),
  status: z.string().min(1).max(50).nullable().optional().describe('Outcome, e.g. `success`, `failure`, `rolled-back`.'),
}).meta({ title: 'Generic change event' });

export type GenericChangeEvent = z.output<typeof genericChangeSchema>;

// ---------------------------------------------------------------- which body is which

export type ChangesBody =
  | { type: 'deployment_status'; event: GitHubDeploymentStatusEvent }
  | { type: 'deployment'; event: GitHubDeploymentEvent }
  | { type: 'release'; event: GitHubReleaseEvent }
  | { type: 'push'; event: GitHubPushEvent }
  | { type: 'ping' }
  | { type: 'github-other' }
  | { type: 'generic'; event: GenericChangeEvent };

/**
 * Which body this is, by its shape. The body is enough (GitHub's `X-GitHub-Event` header is
 * not kept with the inbox entry, and normalize sees the body only): every GitHub event carries
 * `sender`, and the events read here each carry their own object (`deployment_status`,
 * `deployment`, `release`, or a push's `ref`/`before`/`after`); a ping carries `hook_id`/`zen`.
 */
export function changesBodyType(value: unknown): ChangesBody['type'] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'generic';
  const has = (key: string) => Object.prototype.hasOwnProperty.call(value, key);
  if (has('zen') || (has('hook_id') && has('hook'))) return 'ping';
  if (!has('sender')) return 'generic';
  if (has('deployment_status')) return 'deployment_status';
  if (has('deployment')) return 'deployment';
  if (has('release')) return 'release';
  if (has('ref') && has('before') && has('after')) return 'push';
  return 'github-other';
}

const SCHEMA_OF = {
  deployment_status: githubDeploymentStatusEventSchema,
  deployment: githubDeploymentEventSchema,
  release: githubReleaseEventSchema,
  push: githubPushEventSchema,
  ping: githubPingEventSchema,
  'github-other': githubOtherEventSchema,
  generic: genericChangeSchema,
} as const;

const jsonSchemaOf = (schema: z.ZodType) => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

/**
 * The connector's payload schema: picks the schema by the body's shape, so a failing body gets
 * that schema's own issues, each naming its field (a plain union would answer "invalid input"
 * at the root). The OpenAPI document shows the two accepted forms.
 */
export const changesPayloadSchema = z.unknown().transform((value, ctx): ChangesBody => {
  const type = changesBodyType(value);
  const result = SCHEMA_OF[type].safeParse(value);
  if (!result.success) {
    for (const issue of result.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    return z.NEVER;
  }
  return (type === 'ping' || type === 'github-other' ? { type } : { type, event: result.data }) as ChangesBody;
}).meta({
  description: 'A GitHub webhook (deployment_status, deployment, release, push; ping and other events are acknowledged and ignored) or a generic change event.',
  anyOf: [jsonSchemaOf(genericChangeSchema), jsonSchemaOf(githubDeploymentStatusEventSchema), jsonSchemaOf(githubDeploymentEventSchema)],
});

export type ChangesPayload = z.output<typeof changesPayloadSchema>;
