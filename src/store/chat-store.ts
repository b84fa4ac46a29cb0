import type { ChatMessage } from '../domain/chat/chat-message';

/**
 * Chat messages imported for incidents (candidate timeline entries), kept or not. One record
 * per incident and message id; importing again refreshes what Slack says (text, author,
 * reactions) but never undoes a person's keep or drop.
 */
export interface ChatStore {
  init(): Promise<void>;
  /**
   * Records the messages; one already stored (same incident and id) gets the new text, author,
   * permalink and pre-selection, and keeps its `kept` when a person decided it. Returns how
   * many were new.
   */
  addCandidates(messages: readonly ChatMessage[]): Promise<number>;
  /** Every candidate of the incident, oldest first (ties by id), at most `MAX_CHAT_CANDIDATES`. */
  listCandidates(incidentId: string): Promise<ChatMessage[]>;
  /** The kept ones, oldest first. */
  listKept(incidentId: string): Promise<ChatMessage[]>;
  /** Keeps or drops one candidate; the updated message, or null when there is none. */
  setKept(incidentId: string, id: string, kept: boolean, by: string): Promise<ChatMessage | null>;
}

/** Candidates listed per incident: more than one import's worth (`slack.maxImportMessages` at most 20,000). */
export const MAX_CHAT_CANDIDATES = 20_000;

const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
export const chatOrder = (a: ChatMessage, b: ChatMessage): number => byCodeUnits(a.at, b.at) || byCodeUnits(a.id, b.id);

/** An update of a stored candidate by a new import: Slack's facts refreshed, a person's decision kept. */
export function refreshed(stored: ChatMessage, incoming: ChatMessage): ChatMessage {
  return { ...incoming, kept: stored.decidedBy ? stored.kept : incoming.kept, decidedBy: stored.decidedBy, importedAt: stored.importedAt, importedBy: stored.importedBy };
}

/** For stores without a SQLite file or MongoDB (injected fakes in tests and benchmarks). Not durable. */
export class MemoryChatStore implements ChatStore {
  private readonly messages = new Map<string, ChatMessage>();

  async init(): Promise<void> {}

  async addCandidates(messages: readonly ChatMessage[]): Promise<number> {
    let added = 0;
    for (const message of messages) {
      const key = `${message.incidentId}\u0000${message.id}`;
      const stored = this.messages.get(key);
      if (!stored) added += 1;
      this.messages.set(key, stored ? refreshed(stored, message) : { ...message });
    }
    return added;
  }

  async listCandidates(incidentId: string): Promise<ChatMessage[]> {
    return [...this.messages.values()].filter((m) => m.incidentId === incidentId).sort(chatOrder).slice(0, MAX_CHAT_CANDIDATES).map((m) => ({ ...m }));
  }

  async listKept(incidentId: string): Promise<ChatMessage[]> {
    return (await this.listCandidates(incidentId)).filter((m) => m.kept);
  }

  async setKept(incidentId: string, id: string, kept: boolean, by: string): Promise<ChatMessage | null> {
    const key = `${incidentId}\u0000${id}`;
    const stored = this.messages.get(key);
    if (!stored) return null;
    const updated = { ...stored, kept, decidedBy: by };
    this.messages.set(key, updated);
    return { ...updated };
  }
}
