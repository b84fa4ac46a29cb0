import type { AxiosResponse } from 'axios';
import type { TestApp } from './test-app';

/** What GET /api/v1/incidents/:id answers (only the fields tests read are typed). */
export interface IncidentDetailBody {
  id: string;
  title: string;
  status: 'open' | 'resolved';
  severity: string | null;
  services: string[];
  startedAt: string;
  endedAt: string | null;
  alertCount: number;
  alerts: AlertBody[];
  timeline: Array<{ at: string; kind: string; source: string; text: string; actor: string | null; alertId: string | null; eventId: string | null }>;
  impact: Array<{
    service: string; severity: string | null; firstSeenAt: string; lastSeenAt: string; durationMs: number;
    ongoing: boolean; alertCount: number; clusters: string[]; namespaces: string[];
  }>;
}

export interface AlertBody {
  id: string;
  incidentId: string;
  instance: string;
  source: string;
  fingerprint: string;
  fingerprintComputed: boolean;
  status: 'firing' | 'resolved';
  startsAt: string;
  endsAt: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  generatorUrl: string | null;
  sourceGroupKey: string | null;
  sourceGroupLabels: Record<string, string>;
  decision: { kind: string; rule: string | null; explanation: string; matched: Record<string, string>; gapMs: number | null };
  firstSeenAt: string;
  lastSeenAt: string;
  notificationCount: number;
}

/** The body of an answer with `status` (200 unless said); a failure shows the body that came instead. */
export function expectOk(res: AxiosResponse, status = 200): AxiosResponse['data'] {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.data)}`);
  return res.data;
}

/** Asserts the one error shape (README, "API overview") and returns the error for further checks. */
export function expectError(res: AxiosResponse, status: number, code?: string): { code: string; message: string; details: Array<{ path: string; message: string }>; requestId: string } {
  if (res.status !== status) throw new Error(`expected HTTP ${status}, got ${res.status}: ${JSON.stringify(res.data)}`);
  const body = res.data as { error?: Record<string, unknown> };
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error).toEqual({
    code: expect.any(String),
    message: expect.any(String),
    details: expect.any(Array),
    requestId: expect.any(String),
  });
  const error = body.error as ReturnType<typeof expectError>;
  for (const d of error.details) expect(d).toEqual({ path: expect.any(String), message: expect.any(String) });
  expect(error.requestId).toBe(res.headers['x-request-id']);
  if (code) expect(error.code).toBe(code);
  return error;
}

/** Every incident (following the cursor), newest first. */
export async function listAllIncidents(app: TestApp, query: Record<string, string> = {}): Promise<Array<{ id: string; startedAt: string } & Record<string, unknown>>> {
  const out: Array<{ id: string; startedAt: string } & Record<string, unknown>> = [];
  let cursor: string | null = null;
  do {
    const res: AxiosResponse = await app.api.get('/api/v1/incidents', { params: { ...query, limit: 100, ...(cursor ? { cursor } : {}) } });
    if (res.status !== 200) throw new Error(`list incidents: ${res.status} ${JSON.stringify(res.data)}`);
    out.push(...res.data.items);
    cursor = res.data.nextCursor;
  } while (cursor);
  return out;
}

export async function getIncident(app: TestApp, id: string): Promise<IncidentDetailBody> {
  const res = await app.api.get(`/api/v1/incidents/${id}`);
  if (res.status !== 200) throw new Error(`get incident ${id}: ${res.status} ${JSON.stringify(res.data)}`);
  return res.data as IncidentDetailBody;
}

/** Every incident with its alerts (all of them: a large incident's sample is completed by paging), timeline and impact. */
export async function allIncidentDetails(app: TestApp): Promise<IncidentDetailBody[]> {
  const list = await listAllIncidents(app);
  return Promise.all(list.map(async (i) => {
    const detail = await getIncident(app, i.id);
    const omitted = (detail as { alertsOmitted?: number }).alertsOmitted ?? 0;
    return omitted > 0 ? { ...detail, alerts: await everyAlertOf(app, i.id) } : detail;
  }));
}

/** Every alert of one incident, through the paged list. */
export async function everyAlertOf(app: TestApp, id: string): Promise<AlertBody[]> {
  const out: AlertBody[] = [];
  let cursor: string | null = null;
  do {
    const res: { status: number; data: { items: AlertBody[]; nextCursor: string | null } } =
      await app.api.get(`/api/v1/incidents/${id}/alerts`, { params: { limit: 500, ...(cursor ? { cursor } : {}) } });
    if (res.status !== 200) throw new Error(`list alerts of ${id}: ${res.status} ${JSON.stringify(res.data)}`);
    out.push(...res.data.items);
    cursor = res.data.nextCursor;
  } while (cursor);
  return out;
}

/** Every stored alert, across incidents. */
export async function allAlerts(app: TestApp): Promise<AlertBody[]> {
  return (await allIncidentDetails(app)).flatMap((i) => i.alerts);
}

/** Inbox entries as the admin API lists them (newest first). */
export async function inboxEntries(app: TestApp, state?: 'pending' | 'done' | 'dead'): Promise<Array<Record<string, unknown> & { id: string; state: string; lastError: string | null }>> {
  const res = await app.api.get('/api/v1/inbox', { params: { limit: 500, ...(state ? { state } : {}) } });
  if (res.status !== 200) throw new Error(`list inbox: ${res.status} ${JSON.stringify(res.data)}`);
  return res.data.items;
}

/** Samples of one metric from Prometheus text format, with labels as a map (label order does not matter). */
export function metricSamples(text: string, name: string): Array<{ labels: Record<string, string>; value: number }> {
  const out: Array<{ labels: Record<string, string>; value: number }> = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ labels, value: Number(m[3]) });
  }
  return out;
}
