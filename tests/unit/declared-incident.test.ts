import { changedDeclaration, declarationEvent, declaredLabels, declaredTally } from '../../src/domain/declared-incident';
import type { IncidentDeclaration } from '../../src/domain/incident';
import { spanOf, tallyOf, tallyWithAlert } from '../../src/domain/incident-facets';
import { ValidationError } from '../../src/errors';
import { alert } from '../support/report-fixtures';

const T = (min: number) => new Date(Date.parse('2026-03-01T10:00:00.000Z') + min * 60_000).toISOString();
const declaration = (over: Partial<IncidentDeclaration> = {}): IncidentDeclaration => ({
  title: 'Checkout fails for EU customers', services: ['checkout'], severity: 'high', startedAt: T(0), endedAt: null,
  missedByMonitoring: true, declaredBy: 'alice', declaredAt: T(90), ...over,
});

describe('declared incidents', () => {
  it('when declared without an end, then it is open from the declared start with the declared severity and no alerts', () => {
    const tally = declaredTally(declaration(), null);
    expect(tally).toEqual({ alertCount: 0, firingCount: 1, startedAt: T(0), lastStartAt: T(0), lastEndAt: null, severity: 'high' });
    expect(spanOf(tally)).toEqual({ status: 'open', startedAt: T(0), endedAt: null, lastActivityAt: T(0) });
  });

  it('when declared with an end, then it is resolved at that end', () => {
    expect(spanOf(declaredTally(declaration({ endedAt: T(40) }), null))).toEqual({ status: 'resolved', startedAt: T(0), endedAt: T(40), lastActivityAt: T(40) });
  });

  it('when alerts were moved in, then the start is the earlier one, the severity the worst, and it stays open until the declaration ends', () => {
    const alerts = [
      alert({ labels: { alertname: 'Errors', service: 'payments', severity: 'critical' }, startsAt: T(-5), endsAt: T(20) }),
    ];
    const open = spanOf(declaredTally(declaration(), tallyOf(alerts)));
    expect(open).toMatchObject({ status: 'open', startedAt: T(-5), endedAt: null });
    expect(declaredTally(declaration(), tallyOf(alerts)).severity).toBe('critical');
    expect(spanOf(declaredTally(declaration({ endedAt: T(30) }), tallyOf(alerts)))).toMatchObject({ status: 'resolved', endedAt: T(30) });
  });

  it('when an alert is added incrementally, then the tally equals the one computed from scratch', () => {
    const a = alert({ labels: { alertname: 'Errors', severity: 'warning' }, startsAt: T(10) });
    const b = alert({ labels: { alertname: 'Slow' }, startsAt: T(12), endsAt: T(15) });
    const incremental = tallyWithAlert(tallyWithAlert(declaredTally(declaration(), null), a), b);
    expect(incremental).toEqual(declaredTally(declaration(), tallyOf([a, b])));
  });

  it('when labels are written, then the declared title stays and the alerts\' services follow the declared ones', () => {
    expect(declaredLabels(declaration(), { services: ['payments', 'checkout'] })).toEqual({ title: 'Checkout fails for EU customers', services: ['checkout', 'payments'] });
  });

  it('when the declaration is recorded, then its entry says who declared it and that monitoring missed it', () => {
    expect(declarationEvent('inc-1', declaration())).toMatchObject({
      incidentId: 'inc-1', at: T(0), kind: 'incident.declared', actor: 'alice',
      text: 'Declared by hand by alice: Checkout fails for EU customers. Monitoring missed this: no alert reported it.',
    });
  });

  it('when a change would end it before it started, then it is refused naming the field', () => {
    expect(changedDeclaration(declaration(), { endedAt: T(30), title: 'Checkout down' })).toMatchObject({ endedAt: T(30), title: 'Checkout down', startedAt: T(0) });
    let error: unknown;
    try {
      changedDeclaration(declaration(), { endedAt: T(-1) });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).details).toEqual([{ path: 'body.end', message: `end (${T(-1)}) is before start (${T(0)})` }]);
  });
});
