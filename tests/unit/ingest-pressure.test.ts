import { DEFAULT_GIVE_WAY, giveWayOf, IngestPressure, READ_GIVE_WAY_MS, type PressureClock } from '../../src/ingest/ingest-pressure';

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

/** How long `breathe(entryMs)` paused, with `busy` webhooks in flight throughout. */
async function pausedAfter(entryMs: number, giveWay: { ratio: number; maxPauseMs: number }, busy = 1): Promise<{ slept: number; turns: number }> {
  const clock = fakeClock();
  const pressure = new IngestPressure(giveWay, undefined, clock);
  for (let i = 0; i < busy; i++) pressure.enter();
  await pressure.breathe(entryMs);
  return { slept: clock.slept, turns: clock.turns };
}

describe('IngestPressure: inbox processing gives way to webhooks', () => {
  it('when no webhook is in flight, then processing only yields one event-loop turn', async () => {
    expect(await pausedAfter(10, { ratio: 5, maxPauseMs: 100 }, 0)).toEqual({ slept: 0, turns: 1 });
  });

  it('when webhooks stay in flight, then it pauses ratio times as long as the entry took', async () => {
    expect((await pausedAfter(4, { ratio: 5, maxPauseMs: 100 })).slept).toBe(20);
  });

  it('when an entry took long, then the pause is capped', async () => {
    expect((await pausedAfter(60, { ratio: 5, maxPauseMs: 100 })).slept).toBe(100);
  });

  it('when the last webhook is answered during the pause, then processing goes on at once', async () => {
    let pressure!: IngestPressure;
    const clock = fakeClock((c) => { if (c.t - 1_000_000 >= 3) pressure.leave(); });
    pressure = new IngestPressure({ ratio: 5, maxPauseMs: 100 }, undefined, clock);
    pressure.enter();
    await pressure.breathe(10);
    expect(clock.slept).toBe(3);
  });

  it('when inbox.ingestPriority is set, then it sets the ratio and the cap stays', async () => {
    expect(giveWayOf(0)).toEqual({ ratio: 0, maxPauseMs: DEFAULT_GIVE_WAY.maxPauseMs });
    expect((await pausedAfter(4, giveWayOf(2))).slept).toBe(8);
  });

  it('when the ratio is 0, then processing never pauses', async () => {
    expect((await pausedAfter(10, { ratio: 0, maxPauseMs: 100 })).slept).toBe(0);
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

describe('IngestPressure: reads give way to webhooks', () => {
  it('when no webhook is in flight, then a read only yields one event-loop turn', async () => {
    const clock = fakeClock();
    await new IngestPressure(DEFAULT_GIVE_WAY, undefined, clock).giveWayToWebhooks();
    expect({ slept: clock.slept, turns: clock.turns }).toEqual({ slept: 0, turns: 1 });
  });

  it('when a webhook is in flight, then the read waits until it is answered', async () => {
    let pressure!: IngestPressure;
    const clock = fakeClock((c) => { if (c.t - 1_000_000 >= 7) pressure.leave(); });
    pressure = new IngestPressure(DEFAULT_GIVE_WAY, undefined, clock);
    pressure.enter();
    await pressure.giveWayToWebhooks();
    expect(clock.slept).toBe(7);
  });

  it('when webhooks never stop, then the read runs after READ_GIVE_WAY_MS anyway', async () => {
    const clock = fakeClock();
    const pressure = new IngestPressure(DEFAULT_GIVE_WAY, undefined, clock);
    pressure.enter();
    await pressure.giveWayToWebhooks();
    expect(clock.slept).toBe(READ_GIVE_WAY_MS);
  });
});
