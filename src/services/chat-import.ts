import { authorOf, importSpan, isSaid, parseSlackPermalink, toCandidate, type ChatMessage, type SlackMessageInput } from '../domain/chat/chat-messages';
import { ConflictError, NotFoundError, UnprocessableError, UpstreamError } from '../errors';
import { OutboundError } from '../integrations/resilient-http';
import { SlackApiError, SlackHttpError, type SlackWebApi } from '../integrations/slack/slack-web-api';
import type { ChatStore } from '../store/chat-store';
import type { IncidentReads } from '../store/store';
import { chatOf, withMergedIncidents } from './chat-on-timeline';

export interface ChatImportOptions {
  /** Null without `slack.botToken`: imports answer 409. */
  slack: SlackWebApi | null;
  chat: ChatStore;
  incidents: Pick<IncidentReads, 'getIncident'>;
  clock: () => Date;
  preselectEmoji: readonly string[];
  marginMinutes: number;
  maxMessages: number;
}

/** What to import: a channel over the incident's span, or one thread (by its ts, or a message permalink). */
export interface ChatImportRequest {
  channel?: string;
  threadTs?: string;
  permalink?: string;
}

export interface ChatImportResult {
  channel: string;
  threadTs: string | null;
  /** Messages read from Slack (people's, without joins and topic changes). */
  read: number;
  /** Of those, new candidates (the rest were imported before). */
  added: number;
  /** True when the import stopped at `slack.maxImportMessages`. */
  truncated: boolean;
  candidates: ChatMessage[];
}

/** Messages asked per page; Slack may answer with fewer (conversations.* allow up to 999). */
const PAGE_LIMIT = 200;

interface SlackPage { messages?: SlackMessageInput[]; has_more?: boolean; response_metadata?: { next_cursor?: string } }

/**
 * Imports a Slack channel (conversations.history over the incident's span with a margin) or
 * thread (conversations.replies) as candidate timeline entries, paged by `next_cursor`, every
 * call under the `slack` policy (timeouts, 429 Retry-After, 5xx retries, circuit). Authors are
 * the message's `user_profile` when Slack included one, else `users.info` (once per user per
 * import); permalinks are built from the workspace URL `auth.test` returns (one call per import).
 */
export class ChatImportService {
  constructor(private readonly options: ChatImportOptions) {}

  get enabled(): boolean {
    return this.options.slack !== null;
  }

  async importChat(incidentId: string, request: ChatImportRequest, by: string): Promise<ChatImportResult> {
    const slack = this.options.slack;
    if (!slack) throw new ConflictError('Slack is not set up: set slack.botToken (DEBRIEF_SLACK_BOT_TOKEN) to import chat');
    const incident = (await this.options.incidents.getIncident(incidentId))?.incident;
    if (!incident) throw new NotFoundError(`incident ${incidentId} not found`);
    // A merged incident's timeline is its target's: chat imported here would show nowhere.
    if (incident.status === 'merged') throw new ConflictError(`incident ${incidentId} was merged into ${incident.mergedInto ?? 'another incident'}: import chat there`);
    const target = whatToRead(request);
    try {
      const workspace = await slack.call<{ ok: boolean; url?: string }>('auth.test', {});
      if (!workspace.url) throw new UpstreamError('Slack auth.test answered without the workspace URL');
      const { messages, truncated } = target.threadTs
        ? await this.pages(slack, 'conversations.replies', { channel: target.channel, ts: target.threadTs })
        : await this.pages(slack, 'conversations.history', { channel: target.channel, ...importSpan(incident, this.options.marginMinutes, this.options.clock()), inclusive: true });
      const said = messages.filter(isSaid);
      const names = await this.authors(slack, said);
      const context = {
        incidentId: incident.id, channel: target.channel, workspaceUrl: workspace.url, preselectEmoji: this.options.preselectEmoji,
        importedAt: this.options.clock().toISOString(), importedBy: by,
      };
      const candidates = said.map((message) => toCandidate(message, authorOf(message, message.user ? names.get(message.user) ?? null : null), context));
      const added = await this.options.chat.addCandidates(candidates);
      return { channel: target.channel, threadTs: target.threadTs, read: said.length, added, truncated, candidates: await this.candidates(incident.id) };
    } catch (err) {
      throw slackFailure(err, target.channel);
    }
  }

  /** The incident's candidates, with those imported onto incidents merged into it. */
  async candidates(incidentId: string): Promise<ChatMessage[]> {
    return chatOf(this.options.chat, await this.incidentsOf(incidentId), false);
  }

  /** Keeps or drops a candidate of the incident or of one merged into it. */
  async setKept(incidentId: string, messageId: string, kept: boolean, by: string): Promise<ChatMessage> {
    for (const id of await this.incidentsOf(incidentId)) {
      const updated = await this.options.chat.setKept(id, messageId, kept, by);
      if (updated) return updated;
    }
    throw new NotFoundError(`no chat message ${messageId} on incident ${incidentId}`);
  }

  private async incidentsOf(incidentId: string): Promise<string[]> {
    const detail = await this.options.incidents.getIncident(incidentId);
    if (!detail) throw new NotFoundError(`incident ${incidentId} not found`);
    return withMergedIncidents(this.options.incidents, detail);
  }

  private async pages(slack: SlackWebApi, method: string, args: Record<string, unknown>): Promise<{ messages: SlackMessageInput[]; truncated: boolean }> {
    const out: SlackMessageInput[] = [];
    let cursor: string | undefined;
    do {
      const page = await slack.call<SlackPage & { ok: boolean }>(method, { ...args, limit: PAGE_LIMIT, ...(cursor ? { cursor } : {}) });
      out.push(...(page.messages ?? []));
      cursor = page.response_metadata?.next_cursor || undefined;
      if (out.length >= this.options.maxMessages) return { messages: out.slice(0, this.options.maxMessages), truncated: cursor !== undefined || out.length > this.options.maxMessages };
    } while (cursor);
    return { messages: out, truncated: false };
  }

  /** Names of the authors Slack did not describe in the message, one users.info per user. */
  private async authors(slack: SlackWebApi, messages: readonly SlackMessageInput[]): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    const wanted = new Set(messages.filter((m) => m.user && !m.user_profile?.real_name && !m.user_profile?.display_name).map((m) => m.user!));
    for (const user of wanted) {
      try {
        const info = await slack.call<{ ok: boolean; user?: { real_name?: string; name?: string; profile?: { real_name?: string; display_name?: string } } }>('users.info', { user });
        const name = info.user?.profile?.real_name || info.user?.real_name || info.user?.profile?.display_name || info.user?.name;
        if (name) names.set(user, name);
      } catch (err) {
        // A user Slack cannot describe (deleted, another workspace) keeps their id as the author.
        if (!(err instanceof SlackApiError)) throw err;
      }
    }
    return names;
  }
}

function whatToRead(request: ChatImportRequest): { channel: string; threadTs: string | null } {
  if (request.permalink) {
    const parsed = parseSlackPermalink(request.permalink);
    if (!parsed) throw new UnprocessableError('not a Slack message permalink', [{ path: 'permalink', message: 'expected https://<workspace>.slack.com/archives/<channel>/p<digits>' }]);
    if (request.channel && request.channel !== parsed.channel) {
      throw new UnprocessableError('the permalink is in another channel', [{ path: 'channel', message: `the permalink names channel ${parsed.channel}` }]);
    }
    return { channel: parsed.channel, threadTs: request.threadTs ?? parsed.threadTs };
  }
  if (!request.channel) throw new UnprocessableError('name a channel or a permalink', [{ path: 'channel', message: 'required without permalink' }]);
  return { channel: request.channel, threadTs: request.threadTs ?? null };
}

/** Slack's answers as API errors: what the person can fix is 422 naming it; Slack failing is 502. */
function slackFailure(err: unknown, channel: string): unknown {
  if (err instanceof SlackApiError) {
    switch (err.code) {
      case 'channel_not_found': return new UnprocessableError(`Slack has no channel ${channel} the app can see`, [{ path: 'channel', message: 'channel_not_found' }]);
      case 'not_in_channel': return new UnprocessableError(`the Debrief app is not in channel ${channel}: invite it (/invite @Debrief)`, [{ path: 'channel', message: 'not_in_channel' }]);
      case 'thread_not_found': return new UnprocessableError('Slack has no such thread in that channel', [{ path: 'threadTs', message: 'thread_not_found' }]);
      case 'invalid_auth': case 'not_authed': case 'token_revoked': case 'token_expired': case 'account_inactive':
        return new UpstreamError(`Slack ${err.method} answered ${err.code}: check slack.botToken (DEBRIEF_SLACK_BOT_TOKEN), the app's bot token`);
      case 'missing_scope':
        return new UpstreamError(`Slack ${err.method} answered missing_scope: give the app channels:history, groups:history and users:read, then reinstall it`);
      default: return new UpstreamError(`Slack ${err.method} answered ${err.code}`);
    }
  }
  if (err instanceof SlackHttpError) return new UpstreamError(err.message);
  if (err instanceof OutboundError) return new UpstreamError(`Slack did not answer: ${err.message}`);
  return err;
}
