import { z } from 'zod';
import { parseRfc3339 } from '../shared/rfc3339';

const time = z.string().refine((text) => parseRfc3339(text).ok, 'must be an RFC 3339 time');

/** The fields of an `issues` (or `issue_comment`) webhook Debrief reads; everything else is kept as sent. */
export const githubIssuesEventSchema = z.looseObject({
  action: z.string().min(1),
  issue: z.looseObject({
    number: z.number().int().positive(),
    state: z.string().min(1),
    state_reason: z.string().nullable().optional(),
    updated_at: time,
    html_url: z.string().optional(),
  }),
  repository: z.looseObject({ full_name: z.string().regex(/^[^/\s]+\/[^/\s]+$/, 'must be owner/name') }),
});
export type GitHubIssuesEvent = z.output<typeof githubIssuesEventSchema>;

const pingSchema = z.looseObject({ zen: z.string().optional(), hook_id: z.number().int().optional() });

export type GitHubIssuesPayload = { type: 'ping' } | { type: 'issue'; event: GitHubIssuesEvent };

const isPing = (json: unknown): boolean => typeof json === 'object' && json !== null && !('issue' in json) && ('zen' in json || 'hook_id' in json);

/**
 * GitHub's `issues` webhook (opened, closed, reopened, edited, ...) or its `ping`, told apart by
 * shape (the event header is not part of the body): a ping carries `zen`/`hook_id` and no issue.
 */
export const githubIssuesPayloadSchema = z.unknown().transform((json, ctx): GitHubIssuesPayload => {
  const ping = isPing(json);
  const result = ping ? pingSchema.safeParse(json) : githubIssuesEventSchema.safeParse(json);
  if (!result.success) {
    for (const issue of result.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    return z.NEVER;
  }
  return ping ? { type: 'ping' } : { type: 'issue', event: result.data as GitHubIssuesEvent };
}).meta({
  id: 'GitHubIssuesWebhook',
  description: 'A GitHub `issues` webhook (its issue\'s state flows back to the action item it was made for); `ping` is acknowledged and ignored.',
});
