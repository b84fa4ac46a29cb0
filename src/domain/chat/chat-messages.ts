import type { TimelineEntry } from '../timeline';
import type { ChatMessage } from './chat-message';

export type { ChatMessage } from './chat-message';

/**
 * Chat on the timeline: messages imported from a Slack channel or thread become candidate
 * timeline entries of an incident; the ones people keep show on its timeline with author, time
 * and a permalink. Pure: the import service (services/chat-import.ts) does the Slack calls.
 */

/** A message as Slack's conversations.history / conversations.replies return it (the fields read). */
export interface SlackMessageInput {
  type?: string;
  subtype?: string;
  ts: string;
  thread_ts?: string;
  user?: string;
  bot_id?: string;
  username?: string;
  text?: string;
  reactions?: ReadonlyArray<{ name: string; count?: number }>;
  pinned_to?: readonly string[];
  user_profile?: { real_name?: string; display_name?: string };
}

/** Channel events that are not something a person said. */
const NOT_SAID = new Set(['channel_join', 'channel_leave', 'channel_topic', 'channel_purpose', 'channel_name', 'channel_archive', 'channel_unarchive', 'group_join', 'group_leave']);

export const isSaid = (message: SlackMessageInput): boolean => (message.type ?? 'message') === 'message' && !NOT_SAID.has(message.subtype ?? '');

/** `1512085950.000216` -> its time as ISO (millisecond precision). */
export function slackTsToIso(ts: string): string {
  const [seconds, micros = '0'] = ts.split('.');
  return new Date(Number(seconds) * 1000 + Math.floor(Number(micros.padEnd(6, '0').slice(0, 6)) / 1000)).toISOString();
}

/** An ISO time -> a Slack ts bound (`oldest`/`latest`). */
export const isoToSlackTs = (iso: string): string => (Date.parse(iso) / 1000).toFixed(6);

/** Pinned, or a reaction named one of `emoji` (a skin-tone variant `+1::skin-tone-2` counts as `+1`). */
export function isPreselected(message: SlackMessageInput, emoji: readonly string[]): boolean {
  if ((message.pinned_to?.length ?? 0) > 0) return true;
  const wanted = new Set(emoji.map((name) => name.replace(/^:|:$/g, '')));
  return (message.reactions ?? []).some((reaction) => wanted.has(reaction.name.split('::')[0]!));
}

/**
 * A message's permalink built from the workspace URL that `auth.test` returns, in the two forms
 * `chat.getPermalink` answers with: `<workspace>/archives/<channel>/p<ts without the dot>`, and
 * inside a thread `?thread_ts=<parent ts>&cid=<channel>` added. One call per import instead of one
 * per message.
 */
export function slackPermalink(workspaceUrl: string, channel: string, ts: string, threadTs: string | null): string {
  const base = workspaceUrl.endsWith('/') ? workspaceUrl : `${workspaceUrl}/`;
  const thread = threadTs && threadTs !== ts ? `?thread_ts=${encodeURIComponent(threadTs)}&cid=${encodeURIComponent(channel)}` : '';
  return `${base}archives/${encodeURIComponent(channel)}/p${ts.replace('.', '')}${thread}`;
}

/** A thread named by a message permalink (`.../archives/C123/p1512085950000216[?thread_ts=...]`); null if it is not one. */
export function parseSlackPermalink(link: string): { channel: string; ts: string; threadTs: string } | null {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return null;
  }
  const match = /\/archives\/([A-Z0-9]+)\/p(\d{10})(\d{6})\/?$/.exec(url.pathname);
  if (!match) return null;
  const ts = `${match[2]}.${match[3]}`;
  const threadTs = url.searchParams.get('thread_ts');
  return { channel: match[1]!, ts, threadTs: threadTs && /^\d+\.\d+$/.test(threadTs) ? threadTs : ts };
}

/** Who wrote a message: its own profile when Slack included it, else the looked-up name, else the bot's name, else the id. */
export function authorOf(message: SlackMessageInput, looked: string | null): string {
  return message.user_profile?.real_name || message.user_profile?.display_name || looked || message.username || message.user || message.bot_id || 'unknown';
}

/** Longest message text kept (a timeline line, not an archive). */
export const MAX_CHAT_TEXT = 2000;

export interface CandidateContext {
  incidentId: string;
  channel: string;
  workspaceUrl: string;
  preselectEmoji: readonly string[];
  importedAt: string;
  importedBy: string;
}

/** A Slack message as a candidate; `kept` starts as `preselected`. */
export function toCandidate(message: SlackMessageInput, author: string, context: CandidateContext): ChatMessage {
  const threadTs = message.thread_ts ?? null;
  const preselected = isPreselected(message, context.preselectEmoji);
  const text = (message.text ?? '').trim();
  return {
    incidentId: context.incidentId, id: `slack:${context.channel}:${message.ts}`, channel: context.channel, ts: message.ts, threadTs,
    at: slackTsToIso(message.ts), author, authorId: message.user ?? message.bot_id ?? null,
    text: text.length > MAX_CHAT_TEXT ? `${text.slice(0, MAX_CHAT_TEXT - 1)}…` : text,
    permalink: slackPermalink(context.workspaceUrl, context.channel, message.ts, threadTs),
    preselected, kept: preselected, importedAt: context.importedAt, importedBy: context.importedBy, decidedBy: null,
  };
}

/** The span a channel import reads: the incident's, widened by the margin on both sides (now while it is open). */
export function importSpan(incident: { startedAt: string; endedAt: string | null }, marginMinutes: number, now: Date): { oldest: string; latest: string } {
  const margin = marginMinutes * 60_000;
  const end = incident.endedAt ? Math.min(Date.parse(incident.endedAt) + margin, now.getTime()) : now.getTime();
  return { oldest: isoToSlackTs(new Date(Date.parse(incident.startedAt) - margin).toISOString()), latest: isoToSlackTs(new Date(end).toISOString()) };
}

/** Kept chat as timeline lines: author as actor, the permalink as url, a stable id per message. */
export function chatTimelineEntry(message: ChatMessage): TimelineEntry {
  return {
    at: message.at, kind: 'chat.message', source: 'slack', text: message.text.replace(/\s+/g, ' ').trim() || '(no text)', actor: message.author,
    alertId: null, eventId: `chat:${message.id}`, url: message.permalink,
  };
}

/** The timeline with the kept messages merged in, in time order (the timeline's own order is kept). */
export function withChatEntries(timeline: TimelineEntry[], kept: readonly ChatMessage[] | undefined): TimelineEntry[] {
  if (!kept || kept.length === 0) return timeline;
  const entries = kept.map(chatTimelineEntry).sort((a, b) => a.at.localeCompare(b.at));
  const out: TimelineEntry[] = [];
  let i = 0;
  for (const entry of entries) {
    while (i < timeline.length && timeline[i]!.at <= entry.at) out.push(timeline[i++]!);
    out.push(entry);
  }
  return out.concat(timeline.slice(i));
}
