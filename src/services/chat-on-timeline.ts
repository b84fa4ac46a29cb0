import type { ChatMessage } from '../domain/chat/chat-message';
import type { IncidentDetail } from '../domain/incident';
import type { ChatStore } from '../store/chat-store';
import type { IncidentReads } from '../store/store';

/** Incidents followed through merges at most (merges are few; a chain this long is not). */
const MAX_MERGED = 50;

/**
 * The incident and every incident merged into it (directly or through earlier merges), read from
 * the target's `correlation.merged` events, the incident's own id first. Chat imported onto an
 * incident before a merge stays stored under its id and shows on the target it went to.
 */
export async function withMergedIncidents(store: Pick<IncidentReads, 'getIncident'>, detail: IncidentDetail): Promise<string[]> {
  const ids = [detail.incident.id];
  const seen = new Set(ids);
  const queue = mergedSources(detail);
  while (queue.length > 0 && ids.length < MAX_MERGED) {
    const id = queue.shift()!;
    if (seen.has(id)) continue;
    seen.add(id);
    ids.push(id);
    const source = await store.getIncident(id);
    if (source) queue.push(...mergedSources(source));
  }
  return ids;
}

const mergedSources = (detail: IncidentDetail): string[] => detail.events
  .filter((event) => event.kind === 'correlation.merged' && Array.isArray(event.data.sourceIncidentIds))
  .flatMap((event) => (event.data.sourceIncidentIds as unknown[]).filter((id): id is string => typeof id === 'string'));

/** Candidates of several incidents as one list, oldest first; a message imported onto two is listed once (the first incident's). */
export async function chatOf(chat: Pick<ChatStore, 'listCandidates' | 'listKept'>, ids: readonly string[], keptOnly: boolean): Promise<ChatMessage[]> {
  const byId = new Map<string, ChatMessage>();
  for (const id of ids) {
    for (const message of keptOnly ? await chat.listKept(id) : await chat.listCandidates(id)) if (!byId.has(message.id)) byId.set(message.id, message);
  }
  return [...byId.values()].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * `store` whose `getIncident` answers with the chat messages people kept attached (they join
 * the timeline in `buildIncidentView`), those of incidents merged into it included; every other
 * method is the store's own. What the incident, export and report reads are given, so the page,
 * the draft and every export show the same chat. A merged incident gets none: its timeline is
 * the target's.
 */
export function withKeptChat<S extends Pick<IncidentReads, 'getIncident'>>(store: S, chat: Pick<ChatStore, 'listCandidates' | 'listKept'>): S {
  const getIncident = async (id: string): Promise<IncidentDetail | null> => {
    const detail = await store.getIncident(id);
    if (!detail || detail.incident.status === 'merged') return detail;
    const kept = await chatOf(chat, await withMergedIncidents(store, detail), true);
    return kept.length > 0 ? { ...detail, chat: kept } : detail;
  };
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'getIncident') return getIncident;
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
