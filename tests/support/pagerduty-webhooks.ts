import type { AxiosResponse } from 'axios';
import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestApp } from './test-app';

/**
 * PagerDuty V3 webhooks for tests: the connector's fixtures as raw bytes, bodies built in the
 * shape PagerDuty sends (docs `01-Overview.md`, the zulip and aldaviva captures), and signing
 * as PagerDuty does it (HMAC-SHA256 over the raw bytes, `v1=<hex>`).
 */

/** Secret the byte-exact aldaviva fixtures were signed with (published with them). */
export const ALDAVIVA_SECRET = 'HvPtlQNKMPpHSSqJpCdndXfo7HnGXa1pnH6w5axpxLFn9aRBNBGh4e8/HlonK5mz';
/** A test subscription secret; bodies built here are signed with it. */
export const PD_TEST_SECRET = 'debrief-test-pagerduty-subscription-secret';

const fixturesDir = join(__dirname, '..', '..', 'connectors', 'pagerduty', 'fixtures');

/** A connector fixture's exact bytes (`connectors/pagerduty/fixtures/<name>.json`). */
export const pagerdutyFixture = (name: string): Buffer => readFileSync(join(fixturesDir, `${name}.json`));

export const signPagerDuty = (raw: Buffer | string, secret: string): string =>
  `v1=${createHmac('sha256', secret).update(raw).digest('hex')}`;

export const sha256Hex = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

export interface PostOptions {
  /** Signs with this secret (default the test secret); `null` sends no signature header. */
  secret?: string | null;
  webhookId?: string;
  instance?: string;
}

/** POSTs raw bytes to `/webhooks/<instance>` as PagerDuty would. */
export function postPagerDuty(app: TestApp, body: Buffer | string | object, options: PostOptions = {}): Promise<AxiosResponse> {
  const raw = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const secret = options.secret === undefined ? PD_TEST_SECRET : options.secret;
  const headers: Record<string, string> = { 'Content-Type': 'application/json; charset=utf-8', 'User-Agent': 'PagerDuty-Webhook/V3.0' };
  if (secret !== null) headers['X-PagerDuty-Signature'] = signPagerDuty(raw, secret);
  if (options.webhookId) headers['X-Webhook-Id'] = options.webhookId;
  return app.anon.post(`/webhooks/${options.instance ?? 'pagerduty'}`, raw, { headers, transformRequest: [(d) => d] });
}

export interface PageSpec {
  id: string;
  number: number;
  title: string;
  /** `incident_key`: Alertmanager's PagerDuty notifier sets sha256_hex(groupKey). */
  incidentKey: string | null;
  serviceId?: string;
  serviceName?: string;
  urgency?: 'high' | 'low';
}

export interface EventSpec {
  id: string;
  /** `incident.triggered`, `incident.acknowledged`, `incident.annotated`, `incident.resolved`, ... */
  type: string;
  occurredAt: string;
  /** `agent.summary`; null for automation (PagerDuty sends `agent: null`). */
  agent: string | null;
  /** Note text for `incident.annotated`. */
  note?: string;
  /** Note id (`data.id`) for `incident.annotated`; default derived from the event id. */
  noteId?: string;
  /** `status` of the incident object in state events (default from the type). */
  status?: string;
  assignees?: string[];
}

const ACCOUNT = 'https://acme-test.pagerduty.com';
const ref = (type: string, id: string, summary: string | null, path: string) => ({
  html_url: `${ACCOUNT}/${path}/${id}`, id, self: `https://api.pagerduty.com/${path}/${id}`, summary, type,
});
const userId = (name: string) => `PU${createHash('sha1').update(name).digest('hex').slice(0, 5).toUpperCase()}`;

/** A V3 envelope for one incident event, in the shape PagerDuty sends. */
export function pagerdutyV3Body(page: PageSpec, event: EventSpec): object {
  const agent = event.agent === null ? null : ref('user_reference', userId(event.agent), event.agent, 'users');
  const incidentRef = { ...ref('incident_reference', page.id, page.title, 'incidents') };
  let data: object;
  if (event.type === 'incident.annotated') {
    data = { incident: incidentRef, id: event.noteId ?? `N${event.id.slice(-6)}`, content: event.note ?? '', trimmed: false, type: 'incident_note' };
  } else {
    const verb = event.type.replace(/^incident\./, '');
    const status = event.status ?? (verb === 'resolved' ? 'resolved' : verb === 'acknowledged' ? 'acknowledged' : 'triggered');
    data = {
      id: page.id,
      type: 'incident',
      self: `https://api.pagerduty.com/incidents/${page.id}`,
      html_url: `${ACCOUNT}/incidents/${page.id}`,
      number: page.number,
      status,
      incident_key: page.incidentKey,
      created_at: event.occurredAt.replace(/\.\d+Z$/, 'Z'),
      title: page.title,
      service: ref('service_reference', page.serviceId ?? 'PSVC001', page.serviceName ?? 'Checkout', 'services'),
      assignees: (event.assignees ?? []).map((a) => ref('user_reference', userId(a), a, 'users')),
      escalation_policy: ref('escalation_policy_reference', 'PEP0001', 'Checkout on-call', 'escalation_policies'),
      teams: [],
      priority: null,
      urgency: page.urgency ?? 'high',
      conference_bridge: null,
      resolve_reason: null,
      incident_type: { name: 'incident_default' },
    };
  }
  return {
    event: {
      id: event.id,
      event_type: event.type,
      resource_type: 'incident',
      occurred_at: event.occurredAt,
      agent,
      client: null,
      data,
    },
  };
}
