import { firingKey, type GroundTruth } from './ground-truth';

/**
 * How well a clustering of alert firings into incidents matches the ground truth. Pure.
 *
 * Items are alert firings (fingerprint + startsAt, see `firingKey`). Figures:
 * - pairwise precision/recall/F1 over unordered pairs of firings: a pair is "predicted" when
 *   both firings are in one incident and "true" when both are in one true incident;
 * - B-cubed precision/recall/F1 (Bagga & Baldwin): per firing, the share of its predicted
 *   incident that truly belongs with it (precision) and the share of its true incident that
 *   was put with it (recall), averaged over firings; F1 of the two averages;
 * - exact share: true incidents whose firings form exactly one predicted incident;
 * - compression: 1 - incidents / firings, for the prediction and for the truth.
 *
 * Per kind, the items are the firings of true incidents of that kind; a predicted pair
 * counts for a kind when at least one of its two firings is of that kind, so merging a
 * foreign alert into a cascade lowers the cascade's precision. A ratio with a zero
 * denominator (no predicted pairs, or no true pairs, as for one-off noise) is `null`.
 */
export interface PairwiseFigures {
  precision: number | null;
  recall: number | null;
  f1: number | null;
}

export interface QualityFigures {
  firings: number;
  trueIncidents: number;
  /** Predicted incidents holding at least one of these firings. */
  predictedIncidents: number;
  pairwise: PairwiseFigures;
  bcubed: { precision: number; recall: number; f1: number };
  /** Share of true incidents recovered exactly (same firings, nothing more). */
  exactShare: number;
  compression: number;
  truthCompression: number;
}

export interface CheckResult {
  /** True incidents the check looked at. */
  checked: number;
  violations: number;
  /** Up to five true incident ids that violate the check. */
  examples: string[];
}

export interface QualityReport {
  overall: QualityFigures;
  byKind: Record<string, QualityFigures>;
  checks: {
    /** A later failure put in the same incident as the earlier failure it recurs (`recurrenceOf`). */
    recurringMerged: CheckResult;
    /** A flapping incident spread over several predicted incidents. */
    flappingSplit: CheckResult;
    /** A failure spanning two clusters spread over several predicted incidents. */
    twoClusterSplit: CheckResult;
  };
  /** Truth firings the prediction does not place (scored as incidents of their own). */
  missingFirings: number;
  /** Predicted firings the truth does not know (ignored). */
  unknownFirings: number;
}

const pairs = (size: number): number => (size * (size - 1)) / 2;
const ratio = (num: number, den: number): number | null => (den === 0 ? null : num / den);
const harmonic = (precision: number, recall: number): number => (precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall));

function f1Of(precision: number | null, recall: number | null): number | null {
  if (precision === 0 || recall === 0) return 0;
  if (precision === null || recall === null) return null;
  return harmonic(precision, recall);
}

interface Item {
  truthId: string;
  kind: string;
  predictedId: string;
}

/**
 * Scores `predicted` (firing key -> incident id, keys from `firingKey`) against `truth`.
 * Kind names in `byKind` are the kinds present in the truth.
 */
export function scoreClustering(truth: GroundTruth, predicted: ReadonlyMap<string, string>): QualityReport {
  const items: Item[] = [];
  const kindOfTruth = new Map<string, string>();
  let missingFirings = 0;
  const known = new Set<string>();
  for (const incident of truth.incidents) {
    kindOfTruth.set(incident.id, incident.kind);
    for (const firing of incident.firings) {
      const key = firingKey(firing.fingerprint, firing.startsAt);
      known.add(key);
      let predictedId = predicted.get(key);
      if (predictedId === undefined) {
        missingFirings += 1;
        predictedId = `(missing)${key}`;
      }
      items.push({ truthId: incident.id, kind: incident.kind, predictedId });
    }
  }
  let unknownFirings = 0;
  for (const key of predicted.keys()) if (!known.has(key)) unknownFirings += 1;

  const kinds = [...new Set(truth.incidents.map((incident) => incident.kind))].sort();
  const byKind: Record<string, QualityFigures> = {};
  for (const kind of kinds) byKind[kind] = figuresFor(items, (it) => it.kind === kind);
  return {
    overall: figuresFor(items, () => true),
    byKind,
    checks: checksFor(truth, items),
    missingFirings,
    unknownFirings,
  };
}

function figuresFor(items: Item[], selected: (it: Item) => boolean): QualityFigures {
  const predSize = new Map<string, number>();
  const predSelected = new Map<string, number>();
  const truthSize = new Map<string, number>();
  const cell = new Map<string, number>();
  for (const it of items) {
    predSize.set(it.predictedId, (predSize.get(it.predictedId) ?? 0) + 1);
    truthSize.set(it.truthId, (truthSize.get(it.truthId) ?? 0) + 1);
    const cellKey = `${it.predictedId}\u0000${it.truthId}`;
    cell.set(cellKey, (cell.get(cellKey) ?? 0) + 1);
    if (selected(it)) predSelected.set(it.predictedId, (predSelected.get(it.predictedId) ?? 0) + 1);
  }
  const chosen = items.filter(selected);
  const chosenTruth = new Set(chosen.map((it) => it.truthId));

  let truePairs = 0;
  for (const id of chosenTruth) truePairs += pairs(truthSize.get(id)!);
  let predictedPairs = 0;
  for (const [id, selectedCount] of predSelected) {
    const size = predSize.get(id)!;
    predictedPairs += pairs(size) - pairs(size - selectedCount);
  }
  let truePositive = 0;
  let exact = 0;
  const countedCells = new Set<string>();
  for (const it of chosen) {
    const cellKey = `${it.predictedId}\u0000${it.truthId}`;
    if (countedCells.has(cellKey)) continue;
    countedCells.add(cellKey);
    const count = cell.get(cellKey)!;
    truePositive += pairs(count);
    if (count === truthSize.get(it.truthId) && count === predSize.get(it.predictedId)) exact += 1;
  }

  let bp = 0;
  let br = 0;
  for (const it of chosen) {
    const count = cell.get(`${it.predictedId}\u0000${it.truthId}`)!;
    bp += count / predSize.get(it.predictedId)!;
    br += count / truthSize.get(it.truthId)!;
  }
  const firings = chosen.length;
  const bPrecision = firings === 0 ? 0 : bp / firings;
  const bRecall = firings === 0 ? 0 : br / firings;
  const precision = ratio(truePositive, predictedPairs);
  const recall = ratio(truePositive, truePairs);
  const predictedIncidents = predSelected.size;
  return {
    firings,
    trueIncidents: chosenTruth.size,
    predictedIncidents,
    pairwise: { precision, recall, f1: f1Of(precision, recall) },
    bcubed: { precision: bPrecision, recall: bRecall, f1: harmonic(bPrecision, bRecall) },
    exactShare: chosenTruth.size === 0 ? 0 : exact / chosenTruth.size,
    compression: firings === 0 ? 0 : 1 - predictedIncidents / firings,
    truthCompression: firings === 0 ? 0 : 1 - chosenTruth.size / firings,
  };
}

function checksFor(truth: GroundTruth, items: Item[]): QualityReport['checks'] {
  const predictedOf = new Map<string, Set<string>>();
  for (const it of items) {
    (predictedOf.get(it.truthId) ?? predictedOf.set(it.truthId, new Set()).get(it.truthId)!).add(it.predictedId);
  }
  const result = (): CheckResult => ({ checked: 0, violations: 0, examples: [] });
  const violate = (check: CheckResult, id: string) => {
    check.violations += 1;
    if (check.examples.length < 5) check.examples.push(id);
  };
  const recurringMerged = result();
  const flappingSplit = result();
  const twoClusterSplit = result();
  for (const incident of truth.incidents) {
    const mine = predictedOf.get(incident.id) ?? new Set<string>();
    if (incident.recurrenceOf) {
      recurringMerged.checked += 1;
      const earlier = predictedOf.get(incident.recurrenceOf) ?? new Set<string>();
      if ([...mine].some((pair) => earlier.has(pair))) violate(recurringMerged, incident.id);
    }
    const splitCheck = incident.kind === 'flapping' ? flappingSplit : incident.kind === 'two-cluster' ? twoClusterSplit : null;
    if (splitCheck) {
      splitCheck.checked += 1;
      if (mine.size > 1) violate(splitCheck, incident.id);
    }
  }
  return { recurringMerged, flappingSplit, twoClusterSplit };
}

/** Quality targets a backtest is held to (`debrief backtest --truth`); measured, never assumed. */
export interface QualityTargets {
  pairwiseF1: number;
  bcubedF1: number;
  /** Largest allowed |compression - truth compression|. */
  compressionDelta: number;
}

export const DEFAULT_TARGETS: QualityTargets = { pairwiseF1: 0.9, bcubedF1: 0.95, compressionDelta: 0.03 };

export interface TargetOutcome {
  name: string;
  value: number | null;
  target: string;
  pass: boolean;
}

/** Each target as pass/miss, including the three structural checks (zero violations). */
export function evaluateTargets(report: QualityReport, targets: QualityTargets = DEFAULT_TARGETS): TargetOutcome[] {
  const overall = report.overall;
  const delta = overall.compression - overall.truthCompression;
  return [
    { name: 'pairwise F1', value: overall.pairwise.f1, target: `>= ${targets.pairwiseF1}`, pass: (overall.pairwise.f1 ?? 0) >= targets.pairwiseF1 },
    { name: 'B-cubed F1', value: overall.bcubed.f1, target: `>= ${targets.bcubedF1}`, pass: overall.bcubed.f1 >= targets.bcubedF1 },
    { name: 'compression delta', value: delta, target: `|x| <= ${targets.compressionDelta}`, pass: Math.abs(delta) <= targets.compressionDelta + 1e-12 },
    { name: 'recurring merged', value: report.checks.recurringMerged.violations, target: '0', pass: report.checks.recurringMerged.violations === 0 },
    { name: 'flapping split', value: report.checks.flappingSplit.violations, target: '0', pass: report.checks.flappingSplit.violations === 0 },
    { name: 'two-cluster split', value: report.checks.twoClusterSplit.violations, target: '0', pass: report.checks.twoClusterSplit.violations === 0 },
  ];
}
