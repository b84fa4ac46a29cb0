import { timeOrderedId } from '../../src/store/time-ordered-id';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('time-ordered ids', () => {
  it('when ids are made one after another, then they are UUIDv7-shaped, distinct and sort in the order they were made', () => {
    const ids = Array.from({ length: 10_000 }, () => timeOrderedId());
    expect(ids.every((id) => UUID_V7.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('when more than 4,096 are made in one millisecond, or the clock steps back, then the order still holds', () => {
    const t = Date.now() + 60_000;
    const burst = Array.from({ length: 5_000 }, () => timeOrderedId(t));
    const afterStepBack = Array.from({ length: 10 }, () => timeOrderedId(t - 30_000));
    const ids = [...burst, ...afterStepBack];
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    // The time field carries the millisecond: the burst's first id names t.
    expect(parseInt(burst[0]!.replace(/-/g, '').slice(0, 12), 16)).toBe(t);
  });
});
