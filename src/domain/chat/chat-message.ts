/** Chat on the timeline: what is stored of one imported chat message (see chat-messages.ts). */

/** One imported message, stored with the incident. */
export interface ChatMessage {
  incidentId: string;
  /** `slack:<channel>:<ts>`: stable, so importing again updates rather than duplicates. */
  id: string;
  channel: string;
  /** Slack's message ts (`1512085950.000216`), unique in its channel. */
  ts: string;
  /** The thread the message belongs to (its parent's ts); null outside threads. */
  threadTs: string | null;
  /** The message time (from its ts), ISO. */
  at: string;
  /** Display name of who wrote it (real name, display name, bot name, or the user id). */
  author: string;
  authorId: string | null;
  text: string;
  permalink: string;
  /** Came pre-selected: pinned, or a reaction with one of the configured emoji. */
  preselected: boolean;
  /** On the timeline. */
  kept: boolean;
  importedAt: string;
  importedBy: string;
  /** Who last kept or dropped it (null while as imported). */
  decidedBy: string | null;
}

