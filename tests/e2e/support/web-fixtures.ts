import type { Browser } from 'playwright-core';
import { alertmanagerBody, type AlertSpec } from '../../support/alertmanager-bodies';
import { listAllIncidents } from '../../support/api-helpers';
import { API_TOKEN, VIEWER_TOKEN, startTestApp, type TestApp } from '../../support/test-app';
import { launchBrowser } from './browser';

/** API tokens of the page tests, one per role (names are recorded as actors). */
export const WEB_TOKENS = {
  admin: API_TOKEN,
  viewer: VIEWER_TOKEN,
  editor: 'web-editor-token-0123456789',
  publisher: 'web-publisher-token-0123456789',
} as const;

/**
 * The real app with a token per role: `erin` (editor), `pat` (publisher), `viewer`, `admin`;
 * `env` adds settings (a PagerDuty signing secret, say).
 */
export function startWebApp(env: Record<string, string> = {}): Promise<TestApp> {
  return startTestApp({
    env: {
      DEBRIEF_API_TOKENS: [
        `admin:admin:${WEB_TOKENS.admin}`, `viewer:viewer:${WEB_TOKENS.viewer}`,
        `erin:editor:${WEB_TOKENS.editor}`, `pat:publisher:${WEB_TOKENS.publisher}`,
      ].join(','),
      ...env,
    },
  });
}

/** Text an attacker could put in alert labels and annotations. */
export const HOSTILE = {
  script: '<script>window.__xss = "script"</script>',
  img: '"><img src=x onerror="window.__xss = \'img\'">',
  svg: '<svg onload="window.__xss = \'svg\'"></svg>',
} as const;

const at = (minutes: number) => new Date(Date.UTC(2026, 10, 20, 10, 0) + minutes * 60_000).toISOString();

export interface SeededIncidents {
  checkout: { id: string; title: string };
  cart: { id: string; title: string };
  /** Alerts of the checkout incident by alertname. */
  checkoutAlerts: Record<string, string>;
}

/**
 * Two incidents: checkout (three alerts: error rate, latency, and a disk alert that belongs
 * elsewhere) and cart (one alert). Sent as Alertmanager would, one group per service.
 */
export async function seedIncidents(app: TestApp): Promise<SeededIncidents> {
  const checkout: AlertSpec[] = [
    {
      labels: { alertname: 'CheckoutHighErrorRate', service: 'checkout', severity: 'critical', cluster: 'prod-eu', namespace: 'shop' },
      annotations: { summary: '5xx ratio above 5% for 5 minutes', runbook_url: 'https://runbooks.example.com/checkout-errors', description: 'Checkout requests are failing.' },
      startsAt: at(0),
    },
    {
      labels: { alertname: 'CheckoutLatencyHigh', service: 'checkout', severity: 'warning', cluster: 'prod-eu', namespace: 'shop' },
      annotations: { summary: 'p99 latency above 2s' },
      startsAt: at(2), endsAt: at(25),
    },
    {
      labels: { alertname: 'NodeDiskFilling', service: 'checkout', severity: 'warning', cluster: 'prod-eu', instance: 'node-7' },
      annotations: { summary: 'Disk on node-7 fills within 4h' },
      startsAt: at(4),
    },
  ];
  expect((await app.postAlertmanager(alertmanagerBody(checkout, { groupBy: ['service'] }))).status).toBe(202);
  expect((await app.postAlertmanager(alertmanagerBody([
    { labels: { alertname: 'CartDown', service: 'cart', severity: 'critical', cluster: 'prod-us' }, annotations: { summary: 'Cart is not answering' }, startsAt: at(90) },
  ], { groupBy: ['service'] }))).status).toBe(202);
  await app.settle();
  const incidents = await listAllIncidents(app);
  const byService = (s: string) => {
    const found = incidents.find((i) => (i.services as string[]).includes(s));
    if (!found) throw new Error(`no incident for ${s}: ${JSON.stringify(incidents)}`);
    return { id: found.id, title: found.title as string };
  };
  const c = byService('checkout');
  const detail = (await app.api.get(`/api/v1/incidents/${c.id}`)).data as { alerts: Array<{ id: string; labels: Record<string, string> }> };
  return {
    checkout: c,
    cart: byService('cart'),
    checkoutAlerts: Object.fromEntries(detail.alerts.map((a) => [a.labels.alertname!, a.id])),
  };
}

/** What every page suite starts with: the app holding the seeded incidents, and a browser. */
export interface WebSuite {
  app: TestApp;
  browser: Browser;
  seeded: SeededIncidents;
}

export async function startWebSuite(): Promise<WebSuite> {
  const [app, browser] = await Promise.all([startWebApp(), launchBrowser()]);
  return { app, browser, seeded: await seedIncidents(app) };
}

/** Stops what `startWebSuite` started, whatever part of it did start. */
export async function stopWebSuite(suite: Partial<WebSuite>): Promise<void> {
  await suite.browser?.close();
  await suite.app?.stop();
}

/** One incident whose alert carries hostile text in its name, labels and annotations. */
export async function seedHostileIncident(app: TestApp): Promise<{ id: string }> {
  const res = await app.postAlertmanager(alertmanagerBody([{
    labels: { alertname: `Evil${HOSTILE.script}`, service: `svc${HOSTILE.img}`, severity: 'critical', team: HOSTILE.svg },
    annotations: { summary: HOSTILE.script, description: HOSTILE.img, runbook_url: 'javascript:window.__xss="href"' },
    generatorURL: 'javascript:window.__xss="gen"',
    startsAt: at(200),
  }], { groupBy: ['service'] }));
  expect(res.status).toBe(202);
  await app.settle();
  const incidents = await listAllIncidents(app);
  const found = incidents.find((i) => String(i.title).includes('Evil'));
  if (!found) throw new Error('hostile incident not created');
  return { id: found.id };
}
