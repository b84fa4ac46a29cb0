import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';

export interface ConnectionTrackerOptions {
  /** Most connections open at once (`server.maxConnections`). */
  maxConnections: number;
  /** Told about each connection closed to stay within the cap. */
  onShed?: (reason: 'evicted' | 'refused') => void;
}

/**
 * The server's connections and what each is doing: answering a request that has fully arrived,
 * or not (still sending one, or idle between requests). Installed when the server is created.
 *
 * It caps how many connections are open at once. Node's own `server.maxConnections` drops every
 * connection past the cap, so clients that open connections and never finish a request (a
 * slowloris) would keep everyone else out until node's header timeout. Here a connection past
 * the cap closes the oldest connection that is not answering a request instead, which is
 * almost never a real client's (they send their request within milliseconds); only when every
 * open connection is answering a request is the new one refused.
 */
export class ConnectionTracker {
  /** Open connections, oldest first (a Map keeps insertion order). */
  private readonly sockets = new Map<Socket, true>();
  /** The request each connection is answering, from its arrival until its answer is sent. */
  private readonly answering = new Map<Socket, IncomingMessage>();

  constructor(server: Server, private readonly options: ConnectionTrackerOptions) {
    server.on('connection', (socket: Socket) => this.opened(socket));
    server.on('request', (req: IncomingMessage, res) => {
      const socket = req.socket;
      this.answering.set(socket, req);
      res.once('close', () => {
        if (this.answering.get(socket) === req) this.answering.delete(socket);
      });
    });
  }

  get size(): number {
    return this.sockets.size;
  }

  /** Destroys every connection that is not answering a fully received request. */
  destroyIncomplete(): void {
    for (const socket of [...this.sockets.keys()]) {
      if (!this.busy(socket)) socket.destroy();
    }
  }

  private busy(socket: Socket): boolean {
    return this.answering.get(socket)?.complete === true;
  }

  private opened(socket: Socket): void {
    socket.once('close', () => {
      this.sockets.delete(socket);
      this.answering.delete(socket);
    });
    if (this.sockets.size >= this.options.maxConnections) {
      let idle: Socket | undefined;
      for (const candidate of this.sockets.keys()) {
        if (this.busy(candidate)) continue;
        idle = candidate;
        break;
      }
      if (!idle) {
        this.options.onShed?.('refused');
        socket.destroy();
        return;
      }
      this.forget(idle);
      this.options.onShed?.('evicted');
    }
    this.sockets.set(socket, true);
  }

  private forget(socket: Socket): void {
    this.sockets.delete(socket);
    this.answering.delete(socket);
    socket.destroy();
  }
}
