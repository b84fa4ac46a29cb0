import { z } from 'zod';
import { parseSlackPermalink } from '../../domain/chat/chat-messages';
import type { ChatImportService } from '../../services/chat-import';
import { idParamsSchema } from '../api-schemas';
import { defineRoute, type RouteDef } from '../route';
import { errorResponse } from '../route-responses';

/** Chat on the timeline over HTTP: import a Slack channel or thread, list the candidates, keep or drop them. */
export interface ChatRouteDeps {
  chat: ChatImportService;
}

const channel = z.string().regex(/^[CGD][A-Z0-9]{2,30}$/, 'a Slack channel id such as C0123ABCD (channel details, bottom)').describe('Slack channel id.');
const slackTs = z.string().regex(/^\d{9,11}\.\d{6}$/, 'a Slack message ts such as 1512085950.000216').describe('Slack message ts (the thread\'s parent).');

export const chatImportBodySchema = z.object({
  channel: channel.optional().describe('The channel to read: over the incident\'s span with `slack.importMarginMinutes` either side, or only the thread `threadTs`.'),
  threadTs: slackTs.optional(),
  permalink: z.url({ protocol: /^https$/ }).max(500).refine((link) => parseSlackPermalink(link) !== null, 'a Slack message link such as https://acme.slack.com/archives/C0123ABCD/p1512085950000216')
    .optional().describe('A message link (Copy link in Slack): imports that message\'s thread.'),
}).strict().superRefine((body, ctx) => {
  if (!body.channel && !body.permalink) ctx.addIssue({ code: 'custom', path: ['channel'], message: 'name a channel (or give a permalink)' });
}).meta({ id: 'ChatImportRequest' });

const chatMessageSchema = z.object({
  id: z.string(), incidentId: z.string(), channel: z.string(), ts: z.string(), threadTs: z.string().nullable(), at: z.string(),
  author: z.string(), authorId: z.string().nullable(), text: z.string(), permalink: z.string(),
  preselected: z.boolean().describe('Pinned, or a reaction with one of `slack.preselectEmoji`: kept from the import on.'),
  kept: z.boolean().describe('On the incident\'s timeline (and its report).'),
  importedAt: z.string(), importedBy: z.string(), decidedBy: z.string().nullable(),
}).meta({ id: 'ChatMessage' });

const candidatesSchema = z.object({
  items: z.array(chatMessageSchema),
  importEnabled: z.boolean().describe('Whether Slack is set up (slack.botToken), so chat can be imported.'),
}).meta({ id: 'ChatCandidates' });
const importResultSchema = z.object({
  channel: z.string(), threadTs: z.string().nullable(), read: z.number().int(), added: z.number().int(),
  truncated: z.boolean().describe('The import stopped at `slack.maxImportMessages`.'), candidates: z.array(chatMessageSchema),
}).meta({ id: 'ChatImportResult' });

const messageParamsSchema = idParamsSchema.extend({
  messageId: z.string().max(100).regex(/^slack:[A-Z0-9]+:\d+\.\d+$/, 'a chat message id such as slack:C0123ABCD:1512085950.000216'),
});
export const chatKeepBodySchema = z.object({ kept: z.boolean().describe('True: on the timeline; false: a candidate only.') }).strict().meta({ id: 'ChatKeepRequest' });

export function chatRoutes({ chat }: ChatRouteDeps): RouteDef[] {
  return [
    defineRoute({
      method: 'post', path: '/api/v1/incidents/:id/chat-imports', operationId: 'importChat', tags: ['chat'],
      summary: 'Import a Slack channel (over the incident\'s span) or thread as candidate timeline entries; again later adds only what is new',
      access: { kind: 'api', role: 'editor' },
      params: idParamsSchema,
      body: chatImportBodySchema,
      responses: {
        200: { description: 'What was read and every candidate of the incident', schema: importResultSchema },
        400: errorResponse('Invalid body (every failing field named)'),
        404: errorResponse('No such incident'),
        409: errorResponse('Slack is not set up (no slack.botToken), or the incident was merged into another (import there)'),
        422: errorResponse('Slack cannot read that channel or thread (channel_not_found, not_in_channel: invite the app)'),
        502: errorResponse('Slack failed or refused the app (timeouts and rate limits after retries, invalid_auth, missing_scope)'),
      },
      handler: async ({ res, params, body, actor }) => {
        res.json(await chat.importChat(params.id, body, actor ?? 'unknown'));
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/incidents/:id/chat-candidates', operationId: 'listChatCandidates', tags: ['chat'],
      summary: 'Imported chat messages of an incident, oldest first, kept or not',
      access: { kind: 'api', role: 'viewer' },
      params: idParamsSchema,
      responses: { 200: { description: 'The candidates', schema: candidatesSchema }, 404: errorResponse('No such incident') },
      handler: async ({ res, params }) => {
        res.json({ items: await chat.candidates(params.id), importEnabled: chat.enabled });
      },
    }),
    defineRoute({
      method: 'patch', path: '/api/v1/incidents/:id/chat-candidates/:messageId', operationId: 'keepChatMessage', tags: ['chat'],
      summary: 'Keep an imported chat message on the timeline, or drop it back to a candidate',
      access: { kind: 'api', role: 'editor' },
      params: messageParamsSchema,
      body: chatKeepBodySchema,
      responses: { 200: { description: 'The message', schema: chatMessageSchema }, 400: errorResponse('Invalid body or message id'), 404: errorResponse('No such message on the incident') },
      handler: async ({ res, params, body, actor }) => {
        res.json(await chat.setKept(params.id, params.messageId, body.kept, actor ?? 'unknown'));
      },
    }),
  ] as RouteDef[];
}
