/**
 * End to end on real parts: Prometheus evaluates rules -> a real Alertmanager groups the
 * alerts and posts webhooks with a bearer token -> Debrief (the real app over HTTP, temp-file
 * SQLite store) -> incident, timeline, impact and the Markdown post-mortem draft, read back
 * through the API as a user would.
 *
 * Between Alertmanager and Debrief sits a recording proxy (the capture server with
 * `forwardTo`) that passes every request through unchanged. It tells the test what
 * Alertmanager sent (the resolved alert's `endsAt`, re-sends) and that Debrief answered 202.
 *
 * Debrief runs in this process (`startTestApp`: createDebrief + listen on 127.0.0.1), not as
 * `node dist/src/main.js`: building inside the test is slow and races with other edits.
 *
 * Which incident an alert lands in is the correlation policy's call (configurable, and
 * tested on its own). This test relies only on what every policy must do: alerts of one
 * service in one Alertmanager group at the same time share an incident. The cart alert sits
 * in the same Alertmanager group on another service; it may join or open its own incident,
 * and either way every check below holds per incident.
 *
 * Needs the Debian packages `prometheus` and `prometheus-alertmanager` (installed by
 * .ci/run). Without them this suite FAILS with an install hint; it never skips.
 */
import { startCaptureServer, type CaptureServer, type CapturedRequest } from './support/capture-server';
import {
  ALERTMANAGER_BINARIES,
  PROMETHEUS_BINARIES,
  requireBinary,
  startAlertmanager,
  startPrometheus,
  type MonitoringProcess,
} from './support/monitoring';
import { delay, httpRequest, stopAll, tail } from './support/processes';
import {
  getIncident,
  inboxEntries,
  listAllIncidents,
  metricSamples,
  type AlertBody,
  type IncidentDetailBody,
} from '../support/api-helpers';
import { AM_TOKEN, startTestApp, type TestApp } from '../support/test-app';

const WEBHOOK_PATH = '/webhooks/alertmanager';
/**
 * Prometheus 2.42 (Debian 12) sends its first alerts only ~5-7 s after start (targets reach
 * the notifier and the scraper after a fixed delay), so the resolving rule must stay true
 * well past that point.
 */
const RESOLVE_AFTER_S = 12;
/** From Prometheus start until the resolved alert is in Debrief: ~15 s; generous bound. */
const RESOLVED_WITHIN_MS = 35_000;
/** Repeats every repeat_interval (3 s), checked at group_interval (2 s) ticks: ~4 s. */
const RESEND_WITHIN_MS = 12_000;

const HIGH_ERROR_RATE = 'CheckoutHighErrorRate';
const CRASH_LOOPING = 'CheckoutPodCrashLooping';
const DISK_FILLING = 'CheckoutDiskFillingUp';
const CART_LATENCY = 'CartLatencyHigh';
/** One service, one Alertmanager group, same time: one incident under any correlation policy. */
const CHECKOUT_ALERTS = [HIGH_ERROR_RATE, CRASH_LOOPING, DISK_FILLING];
const STILL_FIRING = [HIGH_ERROR_RATE, CRASH_LOOPING, CART_LATENCY];
const ALL_ALERTS = [...CHECKOUT_ALERTS, CART_LATENCY];
const RUNBOOK_URL = 'https://runbooks.example.invalid/checkout/high-error-rate';
const GROUP_LABELS = { cluster: 'prod-eu-1', namespace: 'shop' };

/**
 * All four alerts share cluster and namespace, and Alertmanager groups by those, so they
 * travel in one group: three keep firing, one resolves RESOLVE_AFTER_S after Prometheus is
 * started, which makes Alertmanager send a "firing" body holding a resolved alert.
 *
 * The resolving rule compares `time()` with a fixed deadline rather than with Prometheus's own
 * `process_start_time_seconds`: that series exists only once Prometheus has scraped itself, and
 * under the full suite's load the first scrape once came after the window had closed, so the
 * alert never fired. Rule evaluation needs no scrape.
 */
const rules = (resolveAtEpochSeconds: number) => `
groups:
  - name: debrief-e2e
    interval: 1s
    rules:
      - alert: ${HIGH_ERROR_RATE}
        expr: label_replace(vector(0.27), "pod", "checkout-7d9f-1", "", "")
        labels: {service: checkout, severity: critical, cluster: prod-eu-1, namespace: shop}
        annotations:
          summary: 'Checkout 5xx ratio {{ $value | humanizePercentage }} on {{ $labels.pod }}'
          description: 'More than 15% of checkout requests fail on pod {{ $labels.pod }}.'
          runbook_url: '${RUNBOOK_URL}'
      - alert: ${CRASH_LOOPING}
        expr: label_replace(vector(5), "pod", "checkout-7d9f-2", "", "")
        labels: {service: checkout, severity: critical, cluster: prod-eu-1, namespace: shop}
        annotations:
          summary: 'Pod {{ $labels.pod }} restarted {{ $value }} times in 10 minutes'
          description: 'A checkout pod keeps crashing on start-up.'
          runbook_url: 'https://runbooks.example.invalid/checkout/crash-looping'
      - alert: ${DISK_FILLING}
        expr: vector(time()) < ${resolveAtEpochSeconds}
        labels: {service: checkout, severity: warning, cluster: prod-eu-1, namespace: shop}
        annotations:
          summary: 'Disk of the checkout database will fill within 4h'
          description: 'Fires for the first ${RESOLVE_AFTER_S}s after Prometheus is started, then resolves.'
          runbook_url: 'https://runbooks.example.invalid/checkout/disk-filling-up'
      - alert: ${CART_LATENCY}
        expr: label_replace(vector(1.8), "route", "/api/cart", "", "")
        labels: {service: cart, severity: warning, cluster: prod-eu-1, namespace: shop}
        annotations:
          summary: 'p99 latency {{ $value }}s on {{ $labels.route }}'
          runbook_url: 'https://runbooks.example.invalid/cart/latency'
`;

interface WebhookAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  startsAt: string;
  endsAt: string;
  fingerprint: string;
}
interface WebhookPayload {
  status: 'firing' | 'resolved';
  groupKey: string;
  alerts: WebhookAlert[];
}
/** One alert of Alertmanager's `GET /api/v2/alerts`. */
interface AlertmanagerApiAlert {
  fingerprint: string;
  startsAt: string;
  endsAt: string;
  labels: Record<string, string>;
}

/** Every incident holding any of this run's alerts, read through the API at one moment. */
interface Snapshot {
  incidents: IncidentDetailBody[];
  /** The incident holding the checkout alerts. */
  main: IncidentDetailBody;
  alerts: AlertBody[];
}

const iso = (t: string): string => new Date(t).toISOString();
const ms = (t: string | Date): number => (t instanceof Date ? t.getTime() : Date.parse(t));
const nameOf = (a: { labels: Record<string, string> }): string => a.labels.alertname ?? '';
const byName = (alerts: readonly AlertBody[], name: string): AlertBody => {
  const found = alerts.find((a) => nameOf(a) === name);
  if (!found) throw new Error(`no alert ${name} among ${alerts.map(nameOf).join(', ')}`);
  return found;
};

describe('Alertmanager to post-mortem draft, on real Prometheus and Alertmanager', () => {
  let app: TestApp | undefined;
  let proxy: CaptureServer;
  let alertmanager: MonitoringProcess | undefined;
  let prometheus: MonitoringProcess | undefined;
  /** Every alert Alertmanager's API reported while the test watched, by fingerprint. */
  const seenByAlertmanager = new Map<string, AlertmanagerApiAlert>();
  /** Debrief's state once the resolved alert is in, and again after a later re-send. */
  let beforeResend: Snapshot;
  let afterResend: Snapshot;
  let resolvedDelivery: CapturedRequest;
  let resendDelivery: CapturedRequest;

  const deliveries = (): CapturedRequest[] => proxy.requests.filter((r) => r.url === WEBHOOK_PATH);
  const payloadOf = (r: CapturedRequest): WebhookPayload => r.json as WebhookPayload;

  const dump = (): string => {
    const sent = deliveries()
      .map((r) => {
        const answer = r.upstream?.ok ? `${r.upstream.status} ${r.upstream.bodyText.slice(0, 120)}` : JSON.stringify(r.upstream);
        const alerts = (payloadOf(r)?.alerts ?? []).map((a) => `${nameOf(a)}:${a.status}`).join(',');
        return `#${r.seq} ${r.receivedAt.toISOString()} [${alerts}] -> ${answer}`;
      })
      .join('\n');
    return (
      `\n--- webhooks via proxy ---\n${sent || '(none)'}` +
      `\n--- alertmanager logs ---\n${tail(alertmanager?.logs() ?? '(not started)', 3000)}` +
      `\n--- prometheus logs ---\n${tail(prometheus?.logs() ?? '(not started)', 3000)}`
    );
  };

  /** What Debrief holds (incidents with their alerts, unprocessed and dead inbox entries), for failure messages. */
  async function debriefState(): Promise<string> {
    try {
      const lines: string[] = [];
      for (const item of await listAllIncidents(app!)) {
        const d = await getIncident(app!, item.id);
        const alerts = d.alerts.map((a) => `${nameOf(a)}:${a.status}x${a.notificationCount}`).join(',');
        lines.push(`incident ${d.id} ${d.status} [${alerts}]`);
      }
      for (const state of ['pending', 'dead'] as const) {
        for (const e of await inboxEntries(app!, state)) lines.push(`inbox ${state} ${e.id}: ${e.lastError ?? ''}`);
      }
      return `\n--- debrief ---\n${lines.join('\n') || '(no incidents, inbox empty)'}`;
    } catch (err) {
      return `\n--- debrief ---\n(could not read: ${(err as Error).message})`;
    }
  }

  /** Polls `probe` every 250 ms until it returns a value; fails after `timeoutMs` with diagnostics. */
  async function pollUntil<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      try {
        const value = await probe();
        if (value !== undefined) return value;
      } catch (err) {
        last = (err as Error).message;
      }
      if (Date.now() >= deadline) {
        const state = await debriefState();
        throw new Error(`gave up after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${last})` : ''}${state}${dump()}`);
      }
      await delay(250);
    }
  }

  async function alertmanagerAlerts(): Promise<AlertmanagerApiAlert[]> {
    const res = await httpRequest(`${alertmanager!.url}/api/v2/alerts`);
    if (res.status !== 200) throw new Error(`Alertmanager GET /api/v2/alerts: HTTP ${res.status}`);
    const alerts = JSON.parse(res.body.toString('utf8')) as AlertmanagerApiAlert[];
    for (const a of alerts) seenByAlertmanager.set(a.fingerprint, a);
    return alerts;
  }

  async function snapshot(): Promise<Snapshot | undefined> {
    const incidents: IncidentDetailBody[] = [];
    for (const item of await listAllIncidents(app!)) incidents.push(await getIncident(app!, item.id));
    const main = incidents.find((i) => i.alerts.some((a) => nameOf(a) === HIGH_ERROR_RATE));
    return main ? { incidents, main, alerts: incidents.flatMap((i) => i.alerts) } : undefined;
  }

  const incidentOf = (snap: Snapshot, name: string): IncidentDetailBody => {
    const found = snap.incidents.filter((i) => i.alerts.some((a) => nameOf(a) === name));
    if (found.length !== 1) throw new Error(`${name} is in ${found.length} incidents`);
    return found[0]!;
  };

  beforeAll(async () => {
    // Fail (not skip) with an install hint when the binaries are missing.
    requireBinary(PROMETHEUS_BINARIES, 'Prometheus');
    requireBinary(ALERTMANAGER_BINARIES, 'Alertmanager');

    app = await startTestApp();
    proxy = await startCaptureServer({ forwardTo: app.url });
    alertmanager = await startAlertmanager({
      webhookUrl: `${proxy.url}${WEBHOOK_PATH}`,
      bearerToken: AM_TOKEN,
      groupWait: '1s',
      groupInterval: '2s',
      // Short, so the unchanged group is re-sent while the test watches (dedup check).
      repeatInterval: '3s',
      routeGroupBy: Object.keys(GROUP_LABELS),
    });
    prometheus = await startPrometheus({ alertmanagerUrl: alertmanager.url, rulesYaml: rules(Math.floor(Date.now() / 1000) + RESOLVE_AFTER_S) });

    beforeResend = await pollUntil(
      `Debrief to hold ${ALL_ALERTS.join(', ')} with ${DISK_FILLING} resolved`,
      RESOLVED_WITHIN_MS,
      async () => {
        await alertmanagerAlerts();
        const snap = await snapshot();
        if (!snap) return undefined;
        const names = snap.alerts.map(nameOf);
        const resolving = snap.alerts.find((a) => nameOf(a) === DISK_FILLING);
        return ALL_ALERTS.every((n) => names.includes(n)) && resolving?.status === 'resolved' ? snap : undefined;
      },
    );
    resolvedDelivery = await proxy.waitFor(
      (r) => r.url === WEBHOOK_PATH && payloadOf(r).alerts.some((a) => nameOf(a) === DISK_FILLING && a.status === 'resolved'),
      1000,
    );

    // Wait for a later notification of the group (a re-send) and for Debrief to process it.
    // A body that reached the proxy after the snapshot was read cannot be reflected in it.
    const snapshotReadAt = Date.now();
    resendDelivery = await proxy
      .waitFor(
        (r) =>
          r.url === WEBHOOK_PATH &&
          r.receivedAt.getTime() > snapshotReadAt &&
          payloadOf(r).alerts.some((a) => nameOf(a) === HIGH_ERROR_RATE),
        RESEND_WITHIN_MS,
      )
      .catch(async (err: Error) => Promise.reject(new Error(err.message + (await debriefState()) + dump())));
    await pollUntil('the inbox to be processed', 10_000, async () =>
      (await inboxEntries(app!, 'pending')).length === 0 ? true : undefined,
    );
    afterResend = (await snapshot())!;
    await alertmanagerAlerts();
  }, 70_000);

  afterAll(async () => {
    try {
      await stopAll(); // Prometheus, Alertmanager, proxy (reverse start order)
    } finally {
      await app?.stop();
    }
  }, 20_000);

  test('when Alertmanager posts its webhooks, then every delivery is authenticated by bearer token and accepted with 202', () => {
    const all = deliveries();
    expect(all.length).toBeGreaterThanOrEqual(3);
    for (const r of all) {
      expect(r.headers.authorization).toBe(`Bearer ${AM_TOKEN}`);
      expect(r.headers['user-agent']).toMatch(/^Alertmanager\//);
      expect(r.upstream).toMatchObject({ ok: true, status: 202, json: { duplicate: false } });
    }
  });

  test('when the group fires, then one incident holds the service\'s alerts, each once, with the fingerprints and start times Alertmanager reports', async () => {
    const { main, alerts } = afterResend;
    expect(alerts.map(nameOf).sort()).toEqual([...ALL_ALERTS].sort());
    for (const name of CHECKOUT_ALERTS) expect(incidentOf(afterResend, name).id).toBe(main.id);
    for (const name of ALL_ALERTS) incidentOf(afterResend, name); // exactly one incident each
    for (const incident of afterResend.incidents) expect(incident.alertCount).toBe(incident.alerts.length);

    for (const alert of alerts) {
      const inAlertmanager = seenByAlertmanager.get(alert.fingerprint);
      if (!inAlertmanager) throw new Error(`Alertmanager never reported fingerprint ${alert.fingerprint} (${nameOf(alert)})`);
      expect(nameOf(inAlertmanager)).toBe(nameOf(alert));
      expect(alert.startsAt).toBe(iso(inAlertmanager.startsAt));
      expect(alert).toMatchObject({ instance: 'alertmanager', fingerprintComputed: false, sourceGroupLabels: GROUP_LABELS });
      expect(alert.decision.explanation).toMatch(/\w+ \w+/);
    }

    // The alerts still firing are exactly the ones Alertmanager lists as active now.
    const order = (x: { fingerprint: string }, y: { fingerprint: string }) => x.fingerprint.localeCompare(y.fingerprint);
    const active = (await alertmanagerAlerts()).map((a) => ({ fingerprint: a.fingerprint, startsAt: iso(a.startsAt) }));
    const firing = alerts.filter((a) => a.status === 'firing').map((a) => ({ fingerprint: a.fingerprint, startsAt: a.startsAt }));
    expect(firing.sort(order)).toEqual(active.sort(order));
  });

  test('when one alert of a still-firing group resolves, then it is resolved at the endsAt Alertmanager sent and its incident stays open', () => {
    const body = payloadOf(resolvedDelivery);
    // Alertmanager's body is "firing" overall and mixes statuses: each alert's own status counts.
    expect(body.status).toBe('firing');
    expect(body.alerts.map((a) => `${nameOf(a)}:${a.status}`).sort()).toEqual(
      [...STILL_FIRING.map((n) => `${n}:firing`), `${DISK_FILLING}:resolved`].sort(),
    );
    const sent = body.alerts.find((a) => nameOf(a) === DISK_FILLING)!;

    const resolved = byName(afterResend.alerts, DISK_FILLING);
    expect(resolved).toMatchObject({ status: 'resolved', fingerprint: sent.fingerprint, startsAt: iso(sent.startsAt), endsAt: iso(sent.endsAt) });
    expect(ms(resolved.endsAt!)).toBeGreaterThan(ms(resolved.startsAt));
    // Event time, not arrival time: Prometheus stamped endsAt before the notification left Alertmanager.
    expect(ms(resolved.endsAt!)).toBeLessThan(ms(resolvedDelivery.receivedAt));

    for (const name of STILL_FIRING) expect(byName(afterResend.alerts, name)).toMatchObject({ status: 'firing', endsAt: null });
    expect(afterResend.main).toMatchObject({ status: 'open', endedAt: null });
  });

  test('when the incidents are read, then each timeline has one fired entry per alert at its startsAt and a resolved entry at the endsAt', () => {
    for (const { alerts, timeline } of afterResend.incidents) {
      const fired = timeline.filter((e) => e.kind === 'alert.fired');
      expect(fired).toHaveLength(alerts.length);
      for (const alert of alerts) {
        const entries = fired.filter((e) => e.alertId === alert.id);
        expect(entries).toHaveLength(1);
        expect(entries[0]!.at).toBe(iso(seenByAlertmanager.get(alert.fingerprint)!.startsAt));
        // Delivered later (Prometheus' start-up delay plus group_wait): the entry is not at arrival time.
        expect(ms(alert.firstSeenAt)).toBeGreaterThan(ms(entries[0]!.at));
      }
      const times = timeline.map((e) => ms(e.at));
      expect(times).toEqual([...times].sort((a, b) => a - b));
    }

    const disk = byName(afterResend.alerts, DISK_FILLING);
    const sentEndsAt = payloadOf(resolvedDelivery).alerts.find((a) => nameOf(a) === DISK_FILLING)!.endsAt;
    const resolved = afterResend.incidents.flatMap((i) => i.timeline).filter((e) => e.kind === 'alert.resolved');
    expect(resolved).toHaveLength(1);
    expect(resolved[0]).toMatchObject({ alertId: disk.id, at: iso(sentEndsAt) });
    expect(afterResend.main.timeline).toContainEqual(resolved[0]);
  });

  test('when the incidents are read, then their impact lists each affected service with severity, place, alert count and whether it is ongoing', () => {
    for (const incident of afterResend.incidents) {
      const services = [...new Set(incident.alerts.map((a) => a.labels.service))].sort();
      expect(incident.impact.map((i) => i.service).sort()).toEqual(services);
      expect([...incident.services].sort()).toEqual(services);
      for (const item of incident.impact) expect(item).toMatchObject({ clusters: ['prod-eu-1'], namespaces: ['shop'] });
    }
    const checkout = afterResend.main.impact.find((i) => i.service === 'checkout')!;
    const checkoutAlerts = afterResend.main.alerts.filter((a) => a.labels.service === 'checkout');
    expect(checkout).toMatchObject({
      severity: 'critical', // worst of critical and warning
      ongoing: true,
      alertCount: CHECKOUT_ALERTS.length,
      firstSeenAt: checkoutAlerts.map((a) => a.startsAt).sort()[0],
    });
    const cart = incidentOf(afterResend, CART_LATENCY).impact.find((i) => i.service === 'cart');
    expect(cart).toMatchObject({ severity: 'warning', ongoing: true, alertCount: 1, firstSeenAt: byName(afterResend.alerts, CART_LATENCY).startsAt });
  });

  test('when Alertmanager re-sends the group, then no alert, timeline entry or incident is duplicated and the re-send is counted', async () => {
    expect(resendDelivery.upstream).toMatchObject({ ok: true, status: 202 });
    const ids = (snap: Snapshot) => ({
      incidents: snap.incidents.map((i) => i.id).sort(),
      alerts: snap.alerts.map((a) => `${a.incidentId}/${a.id}`).sort(),
      alertTimelineEntries: snap.incidents.flatMap((i) => i.timeline).filter((e) => e.kind.startsWith('alert.')).length,
    });
    expect(ids(afterResend)).toEqual(ids(beforeResend));
    const identities = afterResend.alerts.map((a) => `${a.fingerprint}@${a.startsAt}`);
    expect(new Set(identities).size).toBe(ALL_ALERTS.length);

    for (const name of STILL_FIRING) {
      const before = byName(beforeResend.alerts, name);
      const after = byName(afterResend.alerts, name);
      expect(after.notificationCount).toBeGreaterThan(before.notificationCount);
      expect(after.notificationCount).toBeGreaterThan(1);
      expect(ms(after.lastSeenAt)).toBeGreaterThan(ms(before.lastSeenAt));
      expect(after.startsAt).toBe(before.startsAt);
    }

    // Nothing beyond what was seen: no other incidents, no dead letters.
    expect((await listAllIncidents(app!)).map((i) => i.id).sort()).toEqual(ids(afterResend).incidents);
    expect(await inboxEntries(app!, 'dead')).toEqual([]);
  });

  test('when the report is fetched as Markdown, then it has the five sections, the alerts, the runbook link and "To complete" markers', async () => {
    const { main } = afterResend;
    const res = await app!.api.get(`/api/v1/incidents/${main.id}/report.md`, { responseType: 'text' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/markdown/);
    const md = res.data as string;

    const headings = ['Incident summary', 'Incident timeline', 'What happened', 'What was done to fix it', 'How we will prevent this'];
    const positions = headings.map((h) => {
      const m = new RegExp(`^#{1,3} ${h}\\s*$`, 'm').exec(md);
      if (!m) throw new Error(`no "${h}" heading in:\n${md}`);
      return m.index;
    });
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    const section = (i: number): string => md.slice(positions[i]!, positions[i + 1] ?? md.length);

    for (const alert of main.alerts) expect(section(1)).toContain(nameOf(alert));
    expect(section(0)).toContain('checkout');
    expect(section(3)).toContain(`](${RUNBOOK_URL})`);
    for (const i of [2, 3, 4]) expect(section(i)).toContain('To complete');
  });

  test('when webhooks were accepted, then /metrics counts them by instance and outcome', async () => {
    const accepted = deliveries().filter((r) => r.upstream?.ok && r.upstream.status === 202).length;
    const res = await httpRequest(`${app!.url}/metrics`);
    expect(res.status).toBe(200);
    const samples = metricSamples(res.body.toString('utf8'), 'debrief_webhooks_received_total');
    const sample = samples.find((s) => s.labels.instance === 'alertmanager' && s.labels.outcome === 'accepted');
    if (!sample) throw new Error(`no accepted sample for instance alertmanager in ${JSON.stringify(samples)}`);
    expect(sample.value).toBeGreaterThanOrEqual(accepted);
    expect(samples.filter((s) => s.labels.outcome !== 'accepted')).toEqual([]);
  });
});
