import { clockText, waitText } from '../../src/domain/report/clock-text';
import { draftEnd, pageResolution, type EndSignals } from '../../src/domain/report/drafted-end';
import { draftReport } from '../../src/domain/report/report-draft';
import type { IncidentEvent } from '../../src/domain/incident';
import { deepFreeze, makeAlert, makeEvent, makeIncident } from '../support/domain-builders';

const START = '2026-11-26T14:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(START) + minutes * 60_000).toISOString();

/** A paging event as the ledger stores it (`pagingTimelineEvent`): the page rides in `data`. */
const paging = (verb: string, minutes: number, pageId = 'Q0PAGE1'): IncidentEvent => makeEvent({
  kind: `pagerduty.${verb}`, at: at(minutes), text: verb, data: { instance: 'pagerduty', eventId: `${pageId}-${verb}-${minutes}`, page: { id: pageId } },
});

const signals = (overrides: Partial<EndSignals> = {}): EndSignals => deepFreeze({
  startedAt: START, lastAlertEndedAt: at(40), lastAlertStartedAt: at(5), events: [], mitigatedAt: null, ...overrides,
});

describe('draftEnd: which signal ends the drafted incident', () => {
  it('when only alerts speak, then the incident ends when the last alert resolved, and says so', () => {
    expect(draftEnd(signals())).toEqual({ at: at(40), signal: 'last-alert-resolved', note: 'ended at 14:40 UTC when the last alert resolved' });
  });

  it('when the page was resolved before the last alert, then the page\'s resolution ends it and the note names the later alert', () => {
    const end = draftEnd(signals({ events: [paging('triggered', 2), paging('acknowledged', 4), paging('resolved', 32)] }));
    expect(end).toEqual({ at: at(32), signal: 'page-resolved', note: 'ended at 14:32 UTC when the page was resolved (the last alert resolved at 14:40 UTC)' });
  });

  it('when the page was resolved after the last alert, then the page\'s resolution still ends it: the responders closed it then', () => {
    expect(draftEnd(signals({ events: [paging('triggered', 2), paging('resolved', 55)] }))).toMatchObject({ at: at(55), signal: 'page-resolved' });
  });

  it('when a person recorded a mitigation, then it wins over the page and the alerts', () => {
    const end = draftEnd(signals({ mitigatedAt: at(25), events: [paging('triggered', 2), paging('resolved', 32)] }));
    expect(end).toEqual({ at: at(25), signal: 'mitigation', note: 'ended at 14:25 UTC when mitigation was recorded (the last alert resolved at 14:40 UTC)' });
  });

  it('when a mitigation is recorded while alerts still fire and the page is open, then it ends the draft and says what is still going on', () => {
    const end = draftEnd(signals({ lastAlertEndedAt: null, mitigatedAt: at(25), events: [paging('triggered', 2)] }));
    expect(end).toEqual({ at: at(25), signal: 'mitigation', note: 'ended at 14:25 UTC when mitigation was recorded (alerts were still firing; the page is still unresolved)' });
  });

  it('when the page is resolved while an alert still fires, then the page ends it and the note says alerts were still firing', () => {
    expect(draftEnd(signals({ lastAlertEndedAt: null, events: [paging('triggered', 2), paging('resolved', 30)] })))
      .toEqual({ at: at(30), signal: 'page-resolved', note: 'ended at 14:30 UTC when the page was resolved (alerts were still firing)' });
  });

  it('when one of two pages is still open, then pages do not end it: the last alert does, and the note says a page is open', () => {
    const events = [paging('triggered', 2, 'QA'), paging('resolved', 20, 'QA'), paging('triggered', 6, 'QB')];
    expect(draftEnd(signals({ events }))).toEqual({ at: at(40), signal: 'last-alert-resolved', note: 'ended at 14:40 UTC when the last alert resolved (the page is still unresolved)' });
  });

  it('when every page is resolved, then the last resolution ends it', () => {
    const events = [paging('triggered', 2, 'QA'), paging('resolved', 20, 'QA'), paging('triggered', 6, 'QB'), paging('resolved', 28, 'QB')];
    expect(draftEnd(signals({ events }))).toMatchObject({ at: at(28), signal: 'page-resolved', note: 'ended at 14:28 UTC when the last of 2 pages was resolved (the last alert resolved at 14:40 UTC)' });
  });

  it('when a resolved page was reopened, then it is open again; resolved again, its last resolution counts', () => {
    const reopened = [paging('triggered', 2), paging('resolved', 10), paging('reopened', 12)];
    expect(draftEnd(signals({ events: reopened })).signal).toBe('last-alert-resolved');
    expect(draftEnd(signals({ events: [...reopened, paging('resolved', 30)] }))).toMatchObject({ at: at(30), signal: 'page-resolved' });
  });

  it('when an alert fired after the page was resolved, then the incident went on without a page and the page does not end it', () => {
    expect(draftEnd(signals({ lastAlertStartedAt: at(35), events: [paging('triggered', 2), paging('resolved', 30)] })).signal).toBe('last-alert-resolved');
  });

  it('when a signal lies before the incident began, then it is ignored: the draft never ends an incident before its start', () => {
    expect(draftEnd(signals({ mitigatedAt: at(-5) })).signal).toBe('last-alert-resolved');
    expect(draftEnd(signals({ events: [paging('triggered', -10), paging('resolved', -3)] })).signal).toBe('last-alert-resolved');
  });

  it('when nothing ended yet, then the draft is ongoing and says what is still open', () => {
    expect(draftEnd(signals({ lastAlertEndedAt: null }))).toEqual({ at: null, signal: null, note: 'still ongoing: alerts are still firing' });
    expect(draftEnd(signals({ lastAlertEndedAt: null, events: [paging('triggered', 2)] })).note).toBe('still ongoing: alerts are firing and the page is unresolved');
  });

  it('when events are not pages (Debrief\'s own reopening, corrections, notes without a page), then they never end the incident', () => {
    const events = [
      makeEvent({ kind: 'incident.reopened', at: at(20), data: { alertId: 'a1', resolvedAt: at(10) } }),
      makeEvent({ kind: 'correlation.decided', at: at(21), data: { pageId: 'Q0PAGE1' } }),
      makeEvent({ kind: 'pagerduty.resolved', at: at(22), data: {} }),
    ];
    expect(pageResolution(events)).toEqual({ pages: 0, unresolved: 0, resolvedAt: null });
    expect(draftEnd(signals({ events })).signal).toBe('last-alert-resolved');
  });

  it('when a page is only acknowledged, then it counts as unresolved', () => {
    expect(pageResolution([paging('acknowledged', 3)])).toEqual({ pages: 1, unresolved: 1, resolvedAt: null });
  });

  it('when the end falls on another day, then the note gives the date', () => {
    expect(draftEnd(signals({ lastAlertEndedAt: '2026-11-27T02:05:00.000Z' })).note).toBe('ended at 2026-11-27 02:05 UTC when the last alert resolved');
  });
});

describe('draftReport with the drafted end', () => {
  const alert = makeAlert({ id: 'a1', labels: { alertname: 'HighErrorRate', service: 'checkout' }, startsAt: START, endsAt: at(40), status: 'resolved' });
  const incident = makeIncident({ status: 'resolved', startedAt: START, endedAt: at(40) });
  const draft = (events: IncidentEvent[], mitigatedAt: string | null = null) =>
    draftReport({ incident, alerts: [alert], events, timeline: [], impact: [], generatedAt: at(120), mitigatedAt }).summary;

  it('when the page was resolved first, then the summary ends there, its duration runs to it, and the incident\'s own end stays the last alert\'s', () => {
    expect(draft([paging('triggered', 1), paging('resolved', 32)])).toMatchObject({
      endedAt: at(32), durationMs: 32 * 60_000, endSignal: 'page-resolved', lastAlertEndedAt: at(40),
      endNote: 'ended at 14:32 UTC when the page was resolved (the last alert resolved at 14:40 UTC)',
    });
  });

  it('when mitigation is recorded, then the summary ends at it', () => {
    expect(draft([paging('triggered', 1), paging('resolved', 32)], at(20))).toMatchObject({ endedAt: at(20), durationMs: 20 * 60_000, endSignal: 'mitigation' });
  });
});

describe('clock and wait texts', () => {
  it('when written, then times are the UTC clock (with the date on another day) and waits are Prometheus durations', () => {
    expect(clockText('2026-11-26T14:32:59.999Z', START)).toBe('14:32 UTC');
    expect(clockText('2026-11-25T23:59:00.000Z', START)).toBe('2026-11-25 23:59 UTC');
    expect([0, 45, 60, 90, 300, 3600, 5400, 86_400 + 60].map(waitText)).toEqual(['0s', '45s', '1m', '1m30s', '5m', '1h', '1h30m', '1d1m']);
  });
});
