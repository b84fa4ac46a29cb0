import type { Server } from 'node:http';
import type { ConnectionTracker } from './http/connection-tracker';
import type { InboxProcessing } from './ingest/inbox-worker';
import type { InboxStore } from './store/store';

/** How long a stop waits for requests still being sent before it cuts their connections (ms). */
export const INCOMPLETE_REQUEST_GRACE_MS = 2_000;

/**
 * Stops a server the way a rolling restart needs: no new connections, requests already
 * received are answered, and every answer from now on carries `Connection: close`, so
 * keep-alive clients (Alertmanager, load balancers) reconnect elsewhere instead of holding the
 * socket until its keep-alive timeout. Resolves when the last connection has ended.
 *
 * A request still being sent (headers or body not complete: a slow or stalled client, a
 * slowloris) would hold the stop until node's own timeouts, past the process's deadline, and
 * the store would never be closed. After `incompleteGraceMs` such connections are destroyed:
 * their request was never answered, so nothing acknowledged is lost, and a sender retries it.
 * Connections whose request has fully arrived keep being served. `connections` tracks them from
 * the server's creation (src/http/connection-tracker.ts).
 */
export function gracefulStopper(server: Server, connections: Pick<ConnectionTracker, 'destroyIncomplete'>): (options?: { incompleteGraceMs?: number }) => Promise<void> {
  return ({ incompleteGraceMs = INCOMPLETE_REQUEST_GRACE_MS } = {}) => {
    server.prependListener('request', (_req, res) => {
      if (!res.headersSent) res.setHeader('Connection', 'close');
    });
    return new Promise<void>((resolve) => {
      const cut = setTimeout(() => connections.destroyIncomplete(), incompleteGraceMs);
      cut.unref();
      server.close(() => {
        clearTimeout(cut);
        resolve();
      });
      // Sockets idle between requests close now; busy ones close after their answer.
      server.closeIdleConnections();
    });
  };
}

/**
 * Processes what is in the inbox until it is empty, no longer shrinks (entries leased by
 * another process, or failing and waiting for a retry), or `deadlineMs` passes. Whatever is
 * left stays stored and is processed on the next start: draining is a courtesy, not what
 * makes accepted webhooks durable.
 */
export async function drainInbox(processor: InboxProcessing, store: Pick<InboxStore, 'inboxBacklog'>, deadlineMs: number): Promise<{ pending: number }> {
  const deadline = Date.now() + deadlineMs;
  let pending = (await store.inboxBacklog()).pending;
  while (pending > 0 && Date.now() < deadline) {
    processor.kick();
    await Promise.race([processor.idle(), new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now())).unref())]);
    const now = (await store.inboxBacklog()).pending;
    if (now >= pending) break;
    pending = now;
  }
  return { pending };
}
