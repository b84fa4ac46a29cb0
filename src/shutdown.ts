import type { Server } from 'node:http';
import type { InboxProcessing } from './ingest/inbox-worker';
import type { InboxStore } from './store/store';

/**
 * Stops a server the way a rolling restart needs: no new connections, requests already
 * received are answered, and every answer from now on carries `Connection: close`, so
 * keep-alive clients (Alertmanager, load balancers) reconnect elsewhere instead of holding the
 * socket until its keep-alive timeout. Resolves when the last connection has ended.
 */
export function closeServerGracefully(server: Server): Promise<void> {
  server.prependListener('request', (_req, res) => {
    if (!res.headersSent) res.setHeader('Connection', 'close');
  });
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    // Sockets idle between requests close now; busy ones close after their answer.
    server.closeIdleConnections();
  });
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
