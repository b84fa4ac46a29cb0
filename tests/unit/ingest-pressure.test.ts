import { DEFAULT_GIVE_WAY, IngestPressure, type PressureClock } from '../../src/ingest/ingest-pressure';

/** A clock whose sleeps advance it instantly; records every pause. */
function fakeClock(onSleep: (clock: { t: number }) => void = () => undefined): PressureClock & { t: number; slept: number; turns: number } {
  const clock = {
    t: 1_000_000, slept: 0, turns: 0,
    now: () => clock.t,
    sleep: async (ms: number) => { clock.t += ms; clock.slept += ms; onSleep(clock); },
    yieldTurn: async () => { clock.turns += 1; },
  };
  return clock;
}

describe('IngestPressure: inbox processing gives way to webhooks', () => {
  it('when no webhook is in flight, then processing only yields one event-loop turn', async () => {
    const clock = fakeClock();
    const pressure = new IngestPressure({ ratio: 5, maxPauseMs: 100 }, undefined, clock);
    await pressure.breathe(10);
    expect(clock.turns).toBe(1);
    expect(clock.slept).toBe(0);
  });

  it('when webhooks stay in flight, then it pauses ratio times as long as the entry took', async () => {
    const clock = fakeClock();
    const pressure = new IngestPressure({ ratio: 5, maxPauseMs: 100 }, undefined, clock);
    pressure.enter();
    await pressure.breathe(4);
    expect(clock.slept).toBe(20);
  });

  it('when an entry took long, then the pause is capped', async () => {
    const clock = fakeClock();
    const pressure = new IngestPressure({ ratio: 5, maxPauseMs: 100 }, undefined, clock);
    pressure.enter();
    await pressure.breathe(60);
    expect(clock.slept).toBe(100);
  });

  it('when the last webhook is answered during the pause, then processing goes on at once', async () => {
    let pressure!: IngestPressure;
    const clock = fakeClock((c) => { if (c.t - 1_000_000 >= 3) pressure.leave(); });
    pressure = new IngestPressure({ ratio: 5, maxPauseMs: 100 }, undefined, clock);
    pressure.enter();
    await pressure.breathe(10);
    expect(clock.slept).toBe(3);
  });

  it('when the ratio is 0, then processing never pauses', async () => {
    const clock = fakeClock();
    const pressure = new IngestPressure({ ratio: 0, maxPauseMs: 100 }, undefined, clock);
    pressure.enter();
    await pressure.breathe(10);
    expect(clock.slept).toBe(0);
  });

  it('when the HTTP thread counts webhooks, then a worker holding the same buffer sees them', () => {
    const http = new IngestPressure();
    const worker = new IngestPressure(DEFAULT_GIVE_WAY, http.inFlight.buffer as SharedArrayBuffer);
    http.enter();
    expect(worker.busy).toBe(true);
    http.leave();
    expect(worker.busy).toBe(false);
    http.leave();
    expect(http.inFlight[0]).toBe(0);
  });
});
