import { needsPostmortem, postmortemFacts, type PostmortemPolicy } from '../../src/domain/postmortem-policy';

const OFF: PostmortemPolicy = { minSeverity: null, minDurationMinutes: null, customerFacing: false, pagedOnly: false };
const facts = (over: Partial<ReturnType<typeof postmortemFacts>> = {}) => ({ durationMs: 45 * 60_000, customerFacing: true, paged: true, ...over });

describe('needsPostmortem', () => {
  it('when no condition is set, then every incident needs a post-mortem', () => {
    expect(needsPostmortem({ severity: null }, facts(), OFF)).toEqual({ required: true, reason: 'required: the policy asks for a post-mortem of every incident' });
  });

  it('when every condition holds, then it is required and the reason names each', () => {
    const policy: PostmortemPolicy = { minSeverity: 'high', minDurationMinutes: 30, customerFacing: true, pagedOnly: true };
    const d = needsPostmortem({ severity: 'critical' }, facts(), policy);
    expect(d.required).toBe(true);
    expect(d.reason).toBe('required: severity critical is at least high; lasted 45 min (at least 30 min); a customer-facing service was affected; paged through PagerDuty');
  });

  it('when one condition fails, then it is not required and the reason names that condition', () => {
    expect(needsPostmortem({ severity: 'warning' }, facts(), { ...OFF, minSeverity: 'critical' })).toEqual({ required: false, reason: 'not required: severity warning is below critical' });
    expect(needsPostmortem({ severity: null }, facts(), { ...OFF, minSeverity: 'critical' }).reason).toMatch(/no severity/);
    expect(needsPostmortem({ severity: 'critical' }, facts({ durationMs: 5 * 60_000 }), { ...OFF, minDurationMinutes: 30 }).reason).toBe('not required: lasted 5 min, less than 30 min');
    expect(needsPostmortem({ severity: 'critical' }, facts({ customerFacing: false }), { ...OFF, customerFacing: true }).reason).toMatch(/no customer-facing service/);
    expect(needsPostmortem({ severity: 'critical' }, facts({ customerFacing: null }), { ...OFF, customerFacing: true }).reason).toMatch(/no service catalog/);
    expect(needsPostmortem({ severity: 'critical' }, facts({ paged: false }), { ...OFF, pagedOnly: true }).reason).toMatch(/nobody was paged/);
  });
});

describe('postmortemFacts', () => {
  const impact = [{ service: 'checkout', customerFacing: null }, { service: 'batch', customerFacing: null }];

  it('when the incident is ongoing, then its duration counts until now', () => {
    const f = postmortemFacts({ startedAt: '2026-03-01T10:00:00.000Z', endedAt: null }, [], impact, '2026-03-01T10:40:00.000Z');
    expect(f.durationMs).toBe(40 * 60_000);
  });

  it('when a PagerDuty event is on the incident, then it was paged', () => {
    const f = postmortemFacts({ startedAt: '2026-03-01T10:00:00.000Z', endedAt: '2026-03-01T10:10:00.000Z' }, [{ kind: 'pagerduty.triggered' }], impact, '2026-03-01T11:00:00.000Z');
    expect(f).toEqual({ durationMs: 10 * 60_000, customerFacing: null, paged: true });
  });

  it('when a catalog lookup is given, then any customer-facing service makes the incident customer-facing', () => {
    const lookup = (s: string) => s === 'checkout';
    expect(postmortemFacts({ startedAt: '2026-03-01T10:00:00.000Z', endedAt: null }, [], impact, '2026-03-01T10:00:00.000Z', lookup).customerFacing).toBe(true);
    expect(postmortemFacts({ startedAt: '2026-03-01T10:00:00.000Z', endedAt: null }, [], impact, '2026-03-01T10:00:00.000Z', () => false).customerFacing).toBe(false);
  });
});
