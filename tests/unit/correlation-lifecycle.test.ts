import { correlationRulesSchema } from '../../src/domain/correlation/rule-config';
import { at, Harness } from '../support/correlation-harness';

/**
 * Incident lifecycle by event time: resolved when every alert resolved; a re-fire within the
 * quiet period continues it quietly (flapping); after it, within the reopen window, reopens it
 * (timeline entry); later, a new incident.
 */
describe('incident lifecycle', () => {
  let h: Harness;
  // A wide rule window so the reopen window is what decides.
  const settings = {
    quietPeriodMinutes: 5,
    reopenWindowMinutes: 30,
    rules: correlationRulesSchema.parse([{ name: 'same-service', sameLabels: ['@service'], windowMinutes: 120 }]),
  };
  beforeEach(async () => { h = await Harness.open(settings); });
  afterEach(() => h.close());

  it('when some alerts still fire, then the incident is open; when all resolved, then it is resolved at the latest end', async () => {
    await h.record({ name: 'A', service: 'api', start: 0 }, { name: 'B', service: 'api', start: 1 });
    await h.record({ name: 'A', service: 'api', start: 0, end: 10 });
    expect((await h.incidentOf('A', 0)).incident).toMatchObject({ status: 'open', endedAt: null });
    await h.record({ name: 'B', service: 'api', start: 1, end: 12 });
    expect((await h.incidentOf('A', 0)).incident).toMatchObject({ status: 'resolved', endedAt: at(12), startedAt: at(0) });
  });

  it('when an alert re-fires within the quiet period, then it continues the incident without a reopen entry', async () => {
    await h.record({ name: 'A', service: 'api', start: 0, end: 10 });
    const [again] = await h.record({ name: 'A', service: 'api', start: 14 });
    const detail = await h.incidentOf('A', 0);
    expect(again!.incidentId).toBe(detail.incident.id);
    expect(again!.decision.explanation).not.toContain('reopened');
    expect(detail.events.map((e) => e.kind)).toEqual([]);
    expect(detail.incident).toMatchObject({ status: 'open', endedAt: null });
  });

  it('when a matching alert fires after the quiet period but within the reopen window, then it reopens the incident with a timeline entry', async () => {
    await h.record({ name: 'A', service: 'api', start: 0, end: 10 });
    const [again] = await h.record({ name: 'B', service: 'api', start: 30 });
    const detail = await h.incidentOf('A', 0);
    expect(again!.incidentId).toBe(detail.incident.id);
    expect(again!.decision.explanation).toContain('The incident had resolved 20 min earlier (at 2026-03-02T10:10:00.000Z); this alert reopened it.');
    expect(detail.events).toEqual([expect.objectContaining({ kind: 'incident.reopened', at: at(30), actor: null })]);
    expect(detail.events[0]!.text).toMatch(/^Reopened: B fired after the incident had resolved\./);
    expect(detail.incident.status).toBe('open');
  });

  it('when a matching alert fires after the reopen window, then it opens a new incident and says the old one is closed', async () => {
    await h.record({ name: 'A', service: 'api', start: 0, end: 10 });
    const [later] = await h.record({ name: 'A', service: 'api', start: 46 });
    const old = await h.incidentOf('A', 0);
    expect(later!.incidentId).not.toBe(old.incident.id);
    expect(later!.decision.kind).toBe('new-incident');
    expect(later!.decision.explanation).toContain('same-service: the matching incident "A on api" resolved 36 min before it, beyond the quiet period and reopen window');
    expect(old.incident).toMatchObject({ status: 'resolved', endedAt: at(10) });
  });

  it('when the reopen window ends exactly at the new start, then it still reopens (the window is inclusive)', async () => {
    await h.record({ name: 'A', service: 'api', start: 0, end: 10 });
    const [edge] = await h.record({ name: 'A', service: 'api', start: 45 });
    expect(edge!.incidentId).toBe((await h.alert('A', 0)).incidentId);
  });

  it('when an alert flaps six times, then every firing stays in one incident and no reopen entry is written', async () => {
    for (let i = 0; i < 6; i++) {
      await h.record({ name: 'Flappy', service: 'queue', start: i * 4 });
      await h.record({ name: 'Flappy', service: 'queue', start: i * 4, end: i * 4 + 2 });
    }
    const incidents = await h.incidents();
    expect(incidents).toHaveLength(1);
    expect(incidents[0]!.alerts).toHaveLength(6);
    expect(incidents[0]!.events).toEqual([]);
    expect(incidents[0]!.incident).toMatchObject({ status: 'resolved', endedAt: at(22) });
  });
});

describe('default rules on a recurring failure', () => {
  it('when the same service fails twice hours apart, then the second failure is a new incident', async () => {
    const h = await Harness.open();
    await h.record({ name: 'ServiceDown', service: 'payments', start: 0, end: 20 }, { name: 'HighErrorRate', service: 'payments', start: 1, end: 20 });
    const [second] = await h.record({ name: 'ServiceDown', service: 'payments', start: 180 });
    expect(second!.incidentId).not.toBe((await h.alert('ServiceDown', 0)).incidentId);
    expect(second!.decision.explanation).toMatch(/^Opened a new incident because no explicit link or rule found an open incident for it: /);
    await h.close();
  });
});
