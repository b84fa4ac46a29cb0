import type { IncidentDetail } from '../domain/incident';
import type { ChatStore } from '../store/chat-store';
import type { IncidentReads } from '../store/store';

/**
 * `store` whose `getIncident` answers with the chat messages people kept attached (they join
 * the timeline in `buildIncidentView`); every other method is the store's own. What the
 * incident, export and report reads are given, so the page, the draft and every export show the
 * same chat. A merged incident gets none: its timeline is the target's.
 */
export function withKeptChat<S extends Pick<IncidentReads, 'getIncident'>>(store: S, chat: Pick<ChatStore, 'listKept'>): S {
  const getIncident = async (id: string): Promise<IncidentDetail | null> => {
    const detail = await store.getIncident(id);
    if (!detail || detail.incident.status === 'merged') return detail;
    const kept = await chat.listKept(detail.incident.id);
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
