import axios, { type AxiosInstance } from 'axios';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { connectorsById } from '../../connectors';
import { createDebrief, type Debrief } from '../../src/app';
import { loadConfig } from '../../src/config/load-config';

export const API_TOKEN = 'test-admin-token-0123456789';
export const VIEWER_TOKEN = 'test-viewer-token-0123456789';
export const AM_TOKEN = 'alertmanager-token-0123456789';
export const AM_BASIC = { username: 'am', password: 'basic-password-123' };

export interface TestApp {
  debrief: Debrief;
  url: string;
  dir: string;
  dbFile: string;
  /** Client with the admin API token; never throws on HTTP status. */
  api: AxiosInstance;
  /** Client without credentials. */
  anon: AxiosInstance;
  /** Posts an Alertmanager body with the bearer token. */
  postAlertmanager(body: unknown, headers?: Record<string, string>): Promise<import('axios').AxiosResponse>;
  /** Waits until the inbox has nothing pending. */
  settle(): Promise<void>;
  stop(options?: { keepFiles?: boolean }): Promise<void>;
}

export interface StartOptions {
  dir?: string;
  env?: Record<string, string>;
  overrides?: Record<string, unknown>;
  /** Do not start the inbox processor (to test recovery of unprocessed entries). */
  processing?: boolean;
}

/** The real app on port 0 with a temp-file SQLite store, as a user would run it. */
export async function startTestApp(options: StartOptions = {}): Promise<TestApp> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'debrief-test-'));
  const dbFile = join(dir, 'debrief.db');
  const config = loadConfig({
    file: null,
    knownConnectors: [...connectorsById.keys()],
    env: {
      DEBRIEF_STORE_URL: `sqlite:${dbFile}`,
      DEBRIEF_API_TOKENS: `admin:admin:${API_TOKEN},viewer:viewer:${VIEWER_TOKEN}`,
      DEBRIEF_ALERTMANAGER_BEARER_TOKENS: AM_TOKEN,
      DEBRIEF_ALERTMANAGER_BASIC_AUTH: `${AM_BASIC.username}:${AM_BASIC.password}`,
      DEBRIEF_LOG_LEVEL: 'silent',
      ...options.env,
    },
    overrides: { inbox: { pollIntervalMs: 100 }, ...options.overrides },
  });
  const debrief = await createDebrief({ config, logger: pino({ level: 'silent' }) });
  let url: string;
  if (options.processing === false) {
    // A static import: jest's CommonJS runtime rejects dynamic import() without --experimental-vm-modules.
    const server = createServer(debrief.app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as import('node:net').AddressInfo).port;
    url = `http://127.0.0.1:${port}`;
    const origClose = debrief.close;
    debrief.close = async () => {
      await new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); });
      await origClose();
    };
  } else {
    url = await debrief.listen(0, '127.0.0.1');
  }
  const mk = (headers: Record<string, string>) => axios.create({ baseURL: url, headers, validateStatus: () => true });
  const api = mk({ Authorization: `Bearer ${API_TOKEN}` });
  const anon = mk({});
  return {
    debrief, url, dir, dbFile, api, anon,
    postAlertmanager: (body, headers = {}) => anon.post('/webhooks/alertmanager', typeof body === 'string' ? body : JSON.stringify(body), {
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${AM_TOKEN}`, ...headers },
      transformRequest: [(d) => d],
    }),
    async settle() {
      for (let i = 0; i < 200; i++) {
        debrief.processor.kick();
        await debrief.processor.idle();
        if ((await debrief.store.inboxCounts()).pending === 0) return;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error('inbox did not settle');
    },
    async stop({ keepFiles = false } = {}) {
      await debrief.close();
      if (!keepFiles && !options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
