import { AlertGroup, StormGroupState, type AlertInNotification } from './storm-traffic';

/**
 * How the cost part of the ingest benchmark grows one incident to a given number of firings
 * through the webhook: one Alertmanager group whose alerts keep resolving and firing again with
 * a new `startsAt`, so the incident is all one group (one service, one cluster, one group key)
 * and its alerts carry long histories of firings, as in a long storm. Pure: bodies and event
 * times only.
 */

/** Event time between two seeding bodies. */
const SEED_GAP_MS = 2000;
/** Event time between two timed notifications. */
const NOTIFICATION_GAP_MS = 1000;

export interface SeedPlan {
  /** Bodies to post in order. */
  bodies: Buffer[];
  /** New firings the bodies carry (the incident's size once processed). */
  firings: number;
  /** The group afterwards: its measured alerts, all firing, notified already. */
  measured: StormGroupState;
  /** Event time of the n-th timed notification (from 0), after the seeding. */
  notificationAtMs(n: number): number;
}

/**
 * Bodies that grow one incident to `size` firings. The group's `width` alerts are two halves
 * that take turns: each body fires one half again (new firings) and resolves the other, which
 * fired in the body before, so the incident always has firing alerts and every body adds up to
 * `width / 2` firings (the first body fewer, to land on `size` exactly). The last body fires the
 * half holding the measured alerts (the first `measuredAlerts`); a final body resolves the rest
 * of that half, so the group is left with the measured alerts only, as Alertmanager drops
 * resolved alerts from a group once notified. Event times are in the past of `nowMs`: two
 * seconds between bodies, then a second between timed notifications, so however long the
 * seeding takes to process, the timed firings stay within the correlation window of the
 * incident's latest onsets (a wall-clock gap would open a new incident).
 */
export function planSeeding(group: AlertGroup, options: { size: number; width: number; measuredAlerts: number; notifications: number; nowMs: number }): SeedPlan {
  const { size, measuredAlerts } = options;
  const half = Math.max(measuredAlerts, Math.floor(options.width / 2));
  if (size < measuredAlerts) throw new Error(`an incident of ${size} firings cannot hold ${measuredAlerts} measured alerts`);
  const rounds = Math.max(1, Math.ceil(size / half));
  const startMs = options.nowMs - (rounds + 1) * SEED_GAP_MS - (options.notifications + 60) * NOTIFICATION_GAP_MS;
  const at = (k: number) => startMs + k * SEED_GAP_MS;
  // Half 0 (series 0 .. half-1, the measured ones first) fires in the last round; half 1 in the one before.
  const halfOf = (round: number) => (rounds - 1 - round) % 2;
  const series = (h: number, count: number) => Array.from({ length: count }, (_, i) => h * half + i);

  const bodies: Buffer[] = [];
  let firings = 0;
  let previous: AlertInNotification[] = [];
  for (let k = 0; k < rounds; k++) {
    const count = k === 0 ? size - (rounds - 1) * half : half;
    const fired = series(halfOf(k), count).map((index) => ({ index, startsAtMs: at(k), endsAtMs: null as number | null }));
    const resolved = previous.map((a) => ({ ...a, endsAtMs: at(k) }));
    bodies.push(group.webhookBody([...fired, ...resolved].sort((a, b) => a.index - b.index)));
    firings += fired.length;
    previous = fired;
  }
  const kept = previous.filter((a) => a.index < measuredAlerts);
  const dropped = previous.filter((a) => a.index >= measuredAlerts);
  if (dropped.length > 0) bodies.push(group.webhookBody([...kept, ...dropped.map((a) => ({ ...a, endsAtMs: at(rounds) }))]));
  const last = at(rounds);
  return {
    bodies, firings, measured: new StormGroupState(kept.map((a) => a.startsAtMs), true),
    notificationAtMs: (n) => last + (n + 1) * NOTIFICATION_GAP_MS,
  };
}
