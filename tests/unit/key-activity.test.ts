import { incidentKeyActivity, type KeyHoldingPage } from '../../src/domain/correlation/key-activity';
import type { PageRef } from '../../src/domain/paging-event';

const HOUR = 3_600_000;
const page = (id: string, status: string | null): PageRef => ({
  id, number: null, title: null, url: null, status, urgency: null, priority: null, serviceId: null, serviceName: null, incidentKey: null,
});
const pageEvent = (kind: string, occurredAt: string, status: string | null, keys: string[]): KeyHoldingPage => ({ kind, occurredAt, page: page('P1', status), keys });

describe('incidentKeyActivity', () => {
  it('when a firing and a resolved alert hold one key, then it spans both, counts one firing and stays active for the firing horizon', () => {
    const activity = incidentKeyActivity([
      { alert: { status: 'resolved', startsAt: '2026-03-02T10:00:00.000Z', endsAt: '2026-03-02T10:20:00.000Z' }, keys: ['k'] },
      { alert: { status: 'firing', startsAt: '2026-03-02T10:05:00.000Z', endsAt: null }, keys: ['k', 'only-firing'] },
    ], [], HOUR);
    expect(activity).toEqual([
      { key: 'k', firstAt: '2026-03-02T10:00:00.000Z', lastAt: '2026-03-02T10:20:00.000Z', activeUntil: '2026-03-02T11:05:00.000Z', firing: 1, holders: 2 },
      { key: 'only-firing', firstAt: '2026-03-02T10:05:00.000Z', lastAt: '2026-03-02T10:05:00.000Z', activeUntil: '2026-03-02T11:05:00.000Z', firing: 1, holders: 1 },
    ]);
  });

  it('when a page is not resolved, then the keys it holds stay active without an end, whatever alerts hold them too', () => {
    const [k] = incidentKeyActivity(
      [{ alert: { status: 'resolved', startsAt: '2026-03-02T10:00:00.000Z', endsAt: '2026-03-02T10:20:00.000Z' }, keys: ['k'] }],
      [pageEvent('triggered', '2026-03-02T10:01:00.000Z', 'triggered', ['k'])],
      HOUR,
    );
    expect(k).toEqual({ key: 'k', firstAt: '2026-03-02T10:00:00.000Z', lastAt: '2026-03-02T10:20:00.000Z', activeUntil: null, firing: 1, holders: 2 });
  });

  it('when a page\'s latest event resolves it, then its keys are active until that event, counted once per page', () => {
    const activity = incidentKeyActivity([], [
      pageEvent('resolved', '2026-03-02T10:30:00.000Z', 'resolved', ['page:pd:P1']),
      pageEvent('triggered', '2026-03-02T10:00:00.000Z', 'triggered', ['page:pd:P1']),
    ], HOUR);
    expect(activity).toEqual([
      { key: 'page:pd:P1', firstAt: '2026-03-02T10:00:00.000Z', lastAt: '2026-03-02T10:30:00.000Z', activeUntil: '2026-03-02T10:30:00.000Z', firing: 0, holders: 1 },
    ]);
  });
});
