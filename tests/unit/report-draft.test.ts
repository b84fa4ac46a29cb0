import { buildImpact } from '../../src/domain/impact';
import { draftReport, SECTION_IDS, type DraftInput } from '../../src/domain/report/report-draft';
import { buildTimeline } from '../../src/domain/timeline';
import type { Alert } from '../../src/domain/alert';
import type { IncidentEvent } from '../../src/domain/incident';
import { deepFreeze, makeAlert, makeEvent, makeIncident } from '../support/domain-builders';

const SERVICE_LABELS = ['service', 'app', 'job'];
const GENERATED_AT = '2026-11-26T16:00:00.000Z';

function input(alerts: Alert[], options: { events?: IncidentEvent[]; incident?: Parameters<typeof makeIncident>[0]; customerFacing?: (s: string) => boolean | null } = {}): DraftInput {
  const events = options.events ?? [];
  return {
    incident: makeIncident({ alertCount: alerts.length, ...options.incident }),
    alerts,
    events,
    timeline: buildTimeline(alerts, events, SERVICE_LABELS),
    impact: buildImpact(alerts, SERVICE_LABELS, options.customerFacing),
    generatedAt: GENERATED_AT,
  };
}

const firstAlert = makeAlert({
  id: 'a-first',
  labels: { alertname: 'HighErrorRate', service: 'checkout', severity: 'critical' },
  annotations: {
    summary: 'Checkout 5xx ratio 27%',
    description: 'More than 15% of checkout requests fail.',
    runbook_url: 'https://runbooks.example.invalid/checkout/high-error-rate',
  },
  generatorUrl: 'http://prometheus:9090/graph?g0.expr=errors',
  startsAt: '2026-11-26T14:00:00.000Z',
});
const secondAlert = makeAlert({
  id: 'a-second',
  labels: { alertname: 'PodCrashLooping', app: 'cart', severity: 'warning' },
  annotations: { description: 'Cart pods restart.', runbook: 'https://runbooks.example.invalid/cart/crashloop' },
  startsAt: '2026-11-26T14:03:00.000Z',
});
const resend = makeAlert({ id: 'a-third', labels: { alertname: 'HighErrorRate', service: 'checkout' }, annotations: { description: 'Other pod, same alert.' }, startsAt: '2026-11-26T14:05:00.000Z' });

describe('draftReport', () => {
  it('when drafted, then it has the five sections in order: summary and timeline machine-drafted, the rest for a human', () => {
    const report = draftReport(input([firstAlert]));
    expect(report.sections.map((s) => s.id)).toEqual([...SECTION_IDS]);
    expect(report.sections.map((s) => [s.id, s.title, s.status, s.text])).toEqual([
      ['summary', 'Incident summary', 'machine-drafted', null],
      ['timeline', 'Incident timeline', 'machine-drafted', null],
      ['what-happened', 'What happened', 'needs-human', null],
      ['fix', 'What was done to fix it', 'needs-human', null],
      ['prevention', 'How we will prevent this', 'needs-human', null],
    ]);
    expect(report.incidentId).toBe('incident-1');
    expect(report.generatedAt).toBe(GENERATED_AT);
  });

  it('when the incident is open, then the summary has no end and no duration', () => {
    const report = draftReport(input([firstAlert], { incident: { title: 'HighErrorRate on checkout', services: ['checkout'] } }));
    expect(report.summary).toEqual({
      title: 'HighErrorRate on checkout', severity: 'critical', status: 'open', startedAt: '2026-11-26T14:00:00.000Z',
      endedAt: null, durationMs: null, endSignal: null, endNote: 'still ongoing: alerts are still firing', lastAlertEndedAt: null,
      affectedServices: ['checkout'], customerFacing: null, alertCount: 1, pages: [],
    });
  });

  it('when the incident was paged, then the summary names each page by number, title and link', () => {
    const page = { id: 'PABC123', number: 1234, title: 'Checkout is down', url: 'https://acme.pagerduty.com/incidents/PABC123', status: 'triggered', urgency: 'high', priority: null, serviceId: null, serviceName: 'Checkout', incidentKey: null };
    const events = [
      makeEvent({ at: '2026-11-26T14:01:00.000Z', kind: 'pagerduty.triggered', data: { instance: 'pagerduty', page } }),
      makeEvent({ at: '2026-11-26T14:04:00.000Z', kind: 'pagerduty.acknowledged', data: { instance: 'pagerduty', page: { ...page, status: 'acknowledged' } } }),
    ];
    const report = draftReport(input([firstAlert], { events }));
    expect(report.summary.pages).toEqual([expect.objectContaining({ id: 'PABC123', number: 1234, title: 'Checkout is down', url: page.url, status: 'acknowledged' })]);
  });

  it('when the incident resolved, then the duration runs from start to end', () => {
    const report = draftReport(input([firstAlert], { incident: { status: 'resolved', endedAt: '2026-11-26T14:42:30.000Z' } }));
    expect(report.summary.durationMs).toBe(42.5 * 60_000);
  });

  it('when the catalog marks any affected service customer-facing, then the incident is customer-facing', () => {
    expect(draftReport(input([firstAlert, secondAlert], { customerFacing: (s) => s === 'checkout' })).summary.customerFacing).toBe(true);
    expect(draftReport(input([firstAlert, secondAlert], { customerFacing: () => false })).summary.customerFacing).toBe(false);
    expect(draftReport(input([firstAlert, secondAlert], { customerFacing: (s) => (s === 'cart' ? false : null) })).summary.customerFacing).toBeNull();
  });

  it('when alerts carry annotations, then "what happened" hints name the first alert, the first service and each description once per alert name', () => {
    const hints = draftReport(input([secondAlert, resend, firstAlert])).sections.find((s) => s.id === 'what-happened')!.hints;
    expect(hints).toEqual([
      { source: 'first alert', text: 'HighErrorRate fired first, at 2026-11-26T14:00:00.000Z: Checkout 5xx ratio 27%', url: 'http://prometheus:9090/graph?g0.expr=errors' },
      { source: 'first service affected', text: 'checkout was affected first, at 2026-11-26T14:00:00.000Z', url: null },
      { source: 'annotation description of HighErrorRate', text: 'More than 15% of checkout requests fail.', url: null },
      { source: 'annotation description of PodCrashLooping', text: 'Cart pods restart.', url: null },
    ]);
  });

  it('when alerts link runbooks and PagerDuty has notes, then "fix" hints carry them', () => {
    const events = [
      makeEvent({ kind: 'pagerduty.annotated', actor: 'Jane SRE', text: 'Rolled back deploy 4711', at: '2026-11-26T14:20:00.000Z' }),
      makeEvent({ kind: 'pagerduty.resolved', actor: null, text: 'Resolved by rollback', at: '2026-11-26T14:30:00.000Z' }),
      makeEvent({ kind: 'pagerduty.acknowledged', text: 'Acknowledged' }),
    ];
    const hints = draftReport(input([firstAlert, secondAlert], { events })).sections.find((s) => s.id === 'fix')!.hints;
    expect(hints).toEqual([
      { source: 'runbook of HighErrorRate', text: 'Runbook for HighErrorRate', url: 'https://runbooks.example.invalid/checkout/high-error-rate' },
      { source: 'runbook of PodCrashLooping', text: 'Runbook for PodCrashLooping', url: 'https://runbooks.example.invalid/cart/crashloop' },
      { source: 'PagerDuty note by Jane SRE', text: 'Rolled back deploy 4711', url: null },
      { source: 'PagerDuty resolution', text: 'Resolved by rollback', url: null },
    ]);
  });

  it('when drafted, then "prevention" asks about every alert name once', () => {
    const hints = draftReport(input([firstAlert, resend, secondAlert])).sections.find((s) => s.id === 'prevention')!.hints;
    expect(hints).toHaveLength(1);
    expect(hints[0]!.text).toContain('HighErrorRate, PodCrashLooping');
  });

  it('when alerts name no service, then no "first service affected" hint is invented', () => {
    const hints = draftReport(input([makeAlert({ labels: { alertname: 'Watchdog' } })])).sections.find((s) => s.id === 'what-happened')!.hints;
    expect(hints.map((h) => h.source)).toEqual(['first alert']);
  });

  it('when an incident has no alerts (paging events only), then the human sections have no alert hints', () => {
    const report = draftReport(input([], { incident: { alertCount: 0 } }));
    expect(report.sections.find((s) => s.id === 'what-happened')!.hints).toEqual([]);
    expect(report.sections.find((s) => s.id === 'prevention')!.hints).toEqual([]);
  });

  it('when inputs are frozen, then drafting does not mutate them and carries timeline and impact through', () => {
    const i = deepFreeze(input([firstAlert, secondAlert]));
    const report = draftReport(i);
    expect(report.timeline).toEqual(i.timeline);
    expect(report.impact).toEqual(i.impact);
  });
});
