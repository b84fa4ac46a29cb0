import { createServer, request, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { ConnectionTracker } from '../../src/http/connection-tracker';

/** A server whose answers wait until `release()`; its connections capped at `max`. */
async function serve(max: number) {
  const shed: string[] = [];
  let release!: () => void;
  const released = new Promise<void>((resolve) => { release = resolve; });
  const server: Server = createServer((req, res) => {
    if (req.url === '/slow') void released.then(() => res.end('slow'));
    else res.end('fast');
  });
  const tracker = new ConnectionTracker(server, { maxConnections: max, onShed: (reason) => shed.push(reason) });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  const get = (path: string) => new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (chunk) => { body += String(chunk); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
  /** A connection that sends half a request and never the rest. */
  const stalled = async (): Promise<{ socket: Socket; closed: Promise<void> }> => {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
    return { socket, closed };
  };
  const settle = () => new Promise((r) => setTimeout(r, 50));
  const close = async () => {
    release();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { tracker, shed, get, stalled, settle, release, close };
}

describe('connection cap', () => {
  it('when the cap is reached by clients that never finish a request, then a new client is served and the oldest stalled connection is closed', async () => {
    const s = await serve(3);
    try {
      const stalled = [await s.stalled(), await s.stalled(), await s.stalled()];
      await s.settle();
      expect(s.tracker.size).toBe(3);
      expect(await s.get('/')).toEqual({ status: 200, body: 'fast' });
      await stalled[0]!.closed;
      expect(stalled.map((c) => c.socket.destroyed)).toEqual([true, false, false]);
      expect(s.shed).toEqual(['evicted']);
      await s.settle();
      expect(s.tracker.size).toBe(2);
    } finally {
      await s.close();
    }
  });

  it('when every open connection is answering a request, then a new connection is refused, and the answers are still sent', async () => {
    const s = await serve(2);
    try {
      const slow = [s.get('/slow'), s.get('/slow')];
      await s.settle();
      await expect(s.get('/')).rejects.toThrow(/ECONNRESET|socket hang up/);
      expect(s.shed).toEqual(['refused']);
      s.release();
      expect(await Promise.all(slow)).toEqual([{ status: 200, body: 'slow' }, { status: 200, body: 'slow' }]);
    } finally {
      await s.close();
    }
  });

  it('when connections not answering a request are destroyed (a graceful stop), then the ones answering one are kept', async () => {
    const s = await serve(10);
    try {
      const slow = s.get('/slow');
      const stalled = await s.stalled();
      await s.settle();
      s.tracker.destroyIncomplete();
      await stalled.closed;
      s.release();
      expect(await slow).toEqual({ status: 200, body: 'slow' });
    } finally {
      await s.close();
    }
  });
});
