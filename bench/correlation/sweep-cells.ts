import type { WorldKnobs } from './world';

/**
 * The sweep's worlds and cells: one factor at a time around a central world, plus corners
 * with every knob at its hardest (under each routing) and one with every knob at its easiest.
 * Each world is replayed with and without the service catalog: two cells.
 */
export interface SweepWorld {
  name: string;
  group: 'central' | 'one factor' | 'corner';
  knobs: WorldKnobs;
}

export interface SweepCell {
  /** `<world>/catalog` or `<world>/no-catalog`; what `--cells` filters on. */
  id: string;
  world: SweepWorld;
  catalog: boolean;
}

export const CENTRAL_KNOBS: WorldKnobs = {
  dependsOnMean: 2,
  crossClusterShare: 0.15,
  noiseNearShare: 0.5,
  concurrentNear: true,
  chronic: 'low',
  timing: 'fast',
  rootLateShare: 0,
  routing: 'default',
  exporterLabels: 0,
};

// Half the exporter labels, not all: a corner of plausible estates, where some teams relabel
// and some do not; the full share is its own one-factor cell.
const HARSHEST: Omit<WorldKnobs, 'routing'> = {
  dependsOnMean: 4, crossClusterShare: 0.3, noiseNearShare: 0.7, concurrentNear: true, chronic: 'high', timing: 'slow', rootLateShare: 0.6, exporterLabels: 0.5,
};

const EASIEST: WorldKnobs = {
  dependsOnMean: 1, crossClusterShare: 0, noiseNearShare: 0.3, concurrentNear: false, chronic: 'low', timing: 'fast', rootLateShare: 0, routing: 'default', exporterLabels: 0,
};

const oneFactor = (name: string, change: Partial<WorldKnobs>): SweepWorld => ({ name, group: 'one factor', knobs: { ...CENTRAL_KNOBS, ...change } });

export const SWEEP_WORLDS: SweepWorld[] = [
  { name: 'central', group: 'central', knobs: CENTRAL_KNOBS },
  oneFactor('dependsOn=1', { dependsOnMean: 1 }),
  oneFactor('dependsOn=3', { dependsOnMean: 3 }),
  oneFactor('dependsOn=4', { dependsOnMean: 4 }),
  oneFactor('crossCluster=0%', { crossClusterShare: 0 }),
  oneFactor('crossCluster=30%', { crossClusterShare: 0.3 }),
  oneFactor('noiseNear=30%', { noiseNearShare: 0.3 }),
  oneFactor('noiseNear=70%', { noiseNearShare: 0.7 }),
  oneFactor('concurrentNear=off', { concurrentNear: false }),
  oneFactor('chronic=high', { chronic: 'high' }),
  oneFactor('timing=slow', { timing: 'slow' }),
  oneFactor('rootLate=30%', { rootLateShare: 0.3 }),
  oneFactor('rootLate=60%', { rootLateShare: 0.6 }),
  oneFactor('routing=by-service', { routing: 'by-service' }),
  oneFactor('routing=by-namespace', { routing: 'by-namespace' }),
  oneFactor('exporterLabels=50%', { exporterLabels: 0.5 }),
  oneFactor('exporterLabels=100%', { exporterLabels: 1 }),
  { name: 'harsh/default', group: 'corner', knobs: { ...HARSHEST, routing: 'default' } },
  { name: 'harsh/by-service', group: 'corner', knobs: { ...HARSHEST, routing: 'by-service' } },
  { name: 'harsh/by-namespace', group: 'corner', knobs: { ...HARSHEST, routing: 'by-namespace' } },
  { name: 'easy', group: 'corner', knobs: EASIEST },
];

export const SWEEP_CELLS: SweepCell[] = SWEEP_WORLDS.flatMap((world) => [
  { id: `${world.name}/catalog`, world, catalog: true },
  { id: `${world.name}/no-catalog`, world, catalog: false },
]);

/**
 * Seeds per set. Rules are tuned on `tune` and reported on `report`: figures on the seeds a
 * rule set was tuned against flatter it (see the README). Never add a `report` seed to `tune`.
 */
export const SEED_SETS: Record<'tune' | 'report', number[]> = {
  tune: [1101, 1102, 1103, 1104],
  report: [2201, 2202, 2203, 2204],
};

/**
 * Cells whose id contains any of the comma-separated terms (case-insensitive); a term
 * starting with `!` removes the cells containing it. Empty: every cell.
 */
export function selectCells(cells: readonly SweepCell[], filter: string | undefined): SweepCell[] {
  const terms = (filter ?? '').split(',').map((t) => t.trim().toLowerCase()).filter(Boolean);
  const include = terms.filter((t) => !t.startsWith('!'));
  const exclude = terms.filter((t) => t.startsWith('!')).map((t) => t.slice(1));
  return cells.filter((c) => {
    const id = c.id.toLowerCase();
    if (exclude.some((t) => id.includes(t))) return false;
    return include.length === 0 || include.some((t) => id.includes(t));
  });
}
