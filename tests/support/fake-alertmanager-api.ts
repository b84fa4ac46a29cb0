import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/**
 * A loopback stand-in for Alertmanager's `GET /api/v2/alerts/groups`, serving the RECORDED
 * response in connectors/alertmanager/fixtures/api-v2/ (see SOURCES.md there). Tests change
 * what it serves (`groups`) to make alerts appear or disappear, or make it fail.
 */

const FIXTURE = join(__dirname, '..', '..', 'connectors', 'alertmanager', 'fixtures', 'api-v2', 'karma-mock-am-0.31.0-GET-alerts-groups.json');

export interface ApiAlert {
  fingerprint: string;
  startsAt: string;
  endsAt: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  status: { state: string; silencedBy: string[]; inhibitedBy: string[]; mutedBy?: string[] };
  receivers: Array<{ name: string }>;
  [key: string]: unknown;
}

export interface ApiGroup {
  labels: Record<string, string>;
  receiver: { name: string };
  alerts: ApiAlert[];
}

/** The recorded response, freshly parsed. */
export const recordedAlertGroups = (): ApiGroup[] => JSON.parse(readFileSync(FIXTURE, 'utf8')) as ApiGroup[];

export interface FakeAlertmanagerApi {
  url: string;
  /** What `GET /api/v2/alerts/groups` answers now. */
  groups: ApiGroup[];
  /** When set, every request is answered with this status and an HTML body. */
  failWith: number | null;
  requests: Array<{ path: string; headers: IncomingHttpHeaders }>;
  /** Removes every alert with this fingerprint from every group (empty groups disappear too). */
  removeAlert(fingerprint: string): void;
  /** Stops the server; calling it again does nothing. */
  close(): Promise<void>;
}

export async function startFakeAlertmanagerApi(groups: ApiGroup[] = recordedAlertGroups()): Promise<FakeAlertmanagerApi> {
  const fake = {
    groups,
    failWith: null as number | null,
    requests: [] as FakeAlertmanagerApi['requests'],
  };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://am.invalid').pathname;
    fake.requests.push({ path, headers: req.headers });
    if (fake.failWith !== null) {
      res.writeHead(fake.failWith, { 'content-type': 'text/html' }).end('<html>upstream error</html>');
      return;
    }
    if (req.method !== 'GET' || path !== '/api/v2/alerts/groups') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(fake.groups));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, {
    url: `http://127.0.0.1:${port}`,
    removeAlert(fingerprint: string) {
      fake.groups = fake.groups
        .map((g) => ({ ...g, alerts: g.alerts.filter((a) => a.fingerprint !== fingerprint) }))
        .filter((g) => g.alerts.length > 0);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        if (!server.listening) return resolve();
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  });
}
