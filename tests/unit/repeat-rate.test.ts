import type { IncidentFootprint } from '../../src/domain/history/earlier-incidents';
import { REPEAT_WINDOW_DAYS, repeatRate } from '../../src/domain/history/repeat-rate';

const DAY = 86_400_000;
const T0 = Date.parse('2026-06-01T00:00:00.000Z');
const incident = (id: string, day: number, services: string[], alertNames: string[]): IncidentFootprint => ({
  id, title: id, startedAt: new Date(T0 + day * DAY).toISOString(), services, alertNames,
});

describe('repeat rate', () => {
  it('counts an incident as a repeat when one sharing an alert name and a service started within 90 days before it', () => {
    const first = incident('first', 0, ['checkout'], ['CheckoutErrors']);
    const again = incident('again', 30, ['checkout', 'payments'], ['CheckoutErrors', 'HighLatency']);
    const other = incident('other', 31, ['search'], ['SearchDown']);
    expect(repeatRate([first, again, other], [])).toEqual({ windowDays: REPEAT_WINDOW_DAYS, count: 3, repeatedCount: 1, rate: 1 / 3 });
  });

  it('needs both a shared alert name and a shared service, as "this happened before" does', () => {
    const first = incident('first', 0, ['checkout'], ['CheckoutErrors']);
    expect(repeatRate([incident('same-name', 5, ['cart'], ['CheckoutErrors'])], [first]).repeatedCount).toBe(0);
    expect(repeatRate([incident('same-service', 5, ['checkout'], ['DiskFull'])], [first]).repeatedCount).toBe(0);
    expect(repeatRate([incident('both', 5, ['checkout'], ['CheckoutErrors'])], [first]).repeatedCount).toBe(1);
  });

  it('looks back 90 days exactly, never forward, and reads earlier incidents from the history before the window', () => {
    const old = incident('old', 0, ['checkout'], ['CheckoutErrors']);
    expect(repeatRate([incident('at-90', 90, ['checkout'], ['CheckoutErrors'])], [old]).repeatedCount).toBe(1);
    expect(repeatRate([incident('at-91', 91, ['checkout'], ['CheckoutErrors'])], [old]).repeatedCount).toBe(0);
    // The later one is the repeat, not the earlier.
    const later = incident('later', 10, ['checkout'], ['CheckoutErrors']);
    expect(repeatRate([old, later], [])).toMatchObject({ count: 2, repeatedCount: 1 });
    // Incidents without alerts (declared by hand) are never like another.
    expect(repeatRate([incident('declared', 5, ['checkout'], [])], [old]).repeatedCount).toBe(0);
  });

  it('has no rate without incidents', () => {
    expect(repeatRate([], [incident('old', 0, ['a'], ['A'])])).toEqual({ windowDays: REPEAT_WINDOW_DAYS, count: 0, repeatedCount: 0, rate: null });
  });
});
