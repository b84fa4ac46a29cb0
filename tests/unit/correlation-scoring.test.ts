import { evaluateTargets, scoreClustering } from '../../src/cli/backtest/correlation-scoring';
import { firingKey, parseGroundTruth, type GroundTruth } from '../../src/cli/backtest/ground-truth';

/** A firing named `x` at minute `m`: fingerprint `fp-x`, start 2026-01-05T00:mm:00Z. */
const at = (name: string, minute = 0) => ({ fingerprint: `fp-${name}`, startsAt: `2026-01-05T00:${String(minute).padStart(2, '0')}:00.000Z` });
const key = (name: string, minute = 0) => firingKey(`fp-${name}`, at(name, minute).startsAt);

function truthOf(incidents: Array<{ id: string; kind: string; firings: string[]; recurrenceOf?: string }>): GroundTruth {
  return parseGroundTruth({
    version: 1,
    incidents: incidents.map((i) => ({ id: i.id, kind: i.kind, recurrenceOf: i.recurrenceOf ?? null, firings: i.firings.map((f) => at(f)) })),
  });
}

const predicted = (clusters: Record<string, string[]>) => {
  const m = new Map<string, string>();
  for (const [id, names] of Object.entries(clusters)) for (const n of names) m.set(key(n), id);
  return m;
};

// Truth: A = {a1,a2,a3} cascade, B = {b1,b2} flapping, C = {c1} noise.
// Prediction: P1 = {a1,a2}, P2 = {a3,b1,b2}, P3 = {c1}.
const truth = truthOf([
  { id: 'A', kind: 'cascade', firings: ['a1', 'a2', 'a3'] },
  { id: 'B', kind: 'flapping', firings: ['b1', 'b2'] },
  { id: 'C', kind: 'noise', firings: ['c1'] },
]);
const prediction = predicted({ P1: ['a1', 'a2'], P2: ['a3', 'b1', 'b2'], P3: ['c1'] });

describe('scoreClustering', () => {
  const report = scoreClustering(truth, prediction);

  it('when scoring the hand-computed example, then pairwise precision, recall and F1 are 2/4, 2/4 and 0.5', () => {
    // True pairs: A 3 + B 1 = 4. Predicted pairs: P1 1 + P2 3 = 4. Correct: (a1,a2) and (b1,b2).
    expect(report.overall.pairwise).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5 });
  });

  it('when scoring the hand-computed example, then B-cubed precision and recall are 14/18 each', () => {
    // Per firing (precision, recall): a1, a2 (1, 2/3); a3 (1/3, 1/3); b1, b2 (2/3, 1); c1 (1, 1).
    expect(report.overall.bcubed.precision).toBeCloseTo(14 / 18, 10);
    expect(report.overall.bcubed.recall).toBeCloseTo(14 / 18, 10);
    expect(report.overall.bcubed.f1).toBeCloseTo(14 / 18, 10);
  });

  it('when only the noise incident is predicted exactly, then the exact share is 1/3', () => {
    expect(report.overall.exactShare).toBeCloseTo(1 / 3, 10);
  });

  it('when 6 firings form 3 predicted and 3 true incidents, then both compressions are 0.5', () => {
    expect(report.overall).toMatchObject({ firings: 6, trueIncidents: 3, predictedIncidents: 3, compression: 0.5, truthCompression: 0.5 });
  });

  it('when a foreign firing shares a predicted incident with a kind, then that kind\'s precision counts the mixed pairs', () => {
    // Cascade: pairs touching a cascade firing are (a1,a2) in P1 and (a3,b1),(a3,b2) in P2; only (a1,a2) is true.
    const cascade = report.byKind.cascade!;
    expect(cascade.pairwise.precision).toBeCloseTo(1 / 3, 10);
    expect(cascade.pairwise.recall).toBeCloseTo(1 / 3, 10);
    expect(cascade.bcubed.precision).toBeCloseTo(7 / 9, 10);
    expect(cascade.bcubed.recall).toBeCloseTo(5 / 9, 10);
    expect(cascade.predictedIncidents).toBe(2);
    expect(cascade.compression).toBeCloseTo(1 / 3, 10);
    expect(cascade.truthCompression).toBeCloseTo(2 / 3, 10);
    // Flapping: pairs touching it in P2 are (a3,b1), (a3,b2), (b1,b2); one is true, the only true pair.
    expect(report.byKind.flapping!.pairwise).toEqual({ precision: 1 / 3, recall: 1, f1: 0.5 });
  });

  it('when a kind has no pairs at all (one-off noise), then its pairwise figures are null, not 0 or 1', () => {
    expect(report.byKind.noise!.pairwise).toEqual({ precision: null, recall: null, f1: null });
    expect(report.byKind.noise!.bcubed.f1).toBe(1);
  });

  it('when every firing is alone, then pairwise recall and F1 are 0 and precision is undefined', () => {
    const r = scoreClustering(truth, predicted({ x1: ['a1'], x2: ['a2'], x3: ['a3'], x4: ['b1'], x5: ['b2'], x6: ['c1'] }));
    expect(r.overall.pairwise).toEqual({ precision: null, recall: 0, f1: 0 });
    expect(r.overall.bcubed.precision).toBe(1);
    expect(r.overall.compression).toBe(0);
  });

  it('when the prediction equals the truth, then every figure is perfect and every check passes', () => {
    const r = scoreClustering(truth, predicted({ A: ['a1', 'a2', 'a3'], B: ['b1', 'b2'], C: ['c1'] }));
    expect(r.overall.pairwise).toEqual({ precision: 1, recall: 1, f1: 1 });
    expect(r.overall.bcubed).toEqual({ precision: 1, recall: 1, f1: 1 });
    expect(r.overall.exactShare).toBe(1);
    expect(evaluateTargets(r).every((t) => t.pass)).toBe(true);
  });

  it('when a recurring failure is put in the incident of its earlier occurrence, then the check names it', () => {
    const t = truthOf([
      { id: 'first', kind: 'recurring', firings: ['r1'] },
      { id: 'again', kind: 'recurring', firings: ['r2'], recurrenceOf: 'first' },
    ]);
    expect(scoreClustering(t, predicted({ X: ['r1', 'r2'] })).checks.recurringMerged).toEqual({ checked: 1, violations: 1, examples: ['again'] });
    expect(scoreClustering(t, predicted({ X: ['r1'], Y: ['r2'] })).checks.recurringMerged.violations).toBe(0);
  });

  it('when a flapping or two-cluster incident is spread over two incidents, then the split checks count it', () => {
    const t = truthOf([
      { id: 'flap', kind: 'flapping', firings: ['f1', 'f2'] },
      { id: 'wide', kind: 'two-cluster', firings: ['w1', 'w2'] },
    ]);
    const r = scoreClustering(t, predicted({ X: ['f1'], Y: ['f2'], Z: ['w1'], V: ['w2'] }));
    expect(r.checks.flappingSplit).toEqual({ checked: 1, violations: 1, examples: ['flap'] });
    expect(r.checks.twoClusterSplit).toEqual({ checked: 1, violations: 1, examples: ['wide'] });
    expect(evaluateTargets(r).filter((o) => !o.pass).map((o) => o.name)).toEqual(
      expect.arrayContaining(['flapping split', 'two-cluster split']),
    );
  });

  it('when the prediction misses a truth firing or has one the truth lacks, then both are counted and the missing one scores alone', () => {
    const m = predicted({ P: ['a1', 'a2'] });
    m.set(key('zz'), 'P');
    const r = scoreClustering(truthOf([{ id: 'A', kind: 'cascade', firings: ['a1', 'a2', 'a3'] }]), m);
    expect(r.missingFirings).toBe(1);
    expect(r.unknownFirings).toBe(1);
    expect(r.overall.pairwise.recall).toBeCloseTo(1 / 3, 10);
    expect(r.overall.predictedIncidents).toBe(2);
  });
});

describe('evaluateTargets', () => {
  it('when compression is 0.04 below the truth, then the compression target misses and the others are judged separately', () => {
    const r = scoreClustering(truth, prediction);
    const shifted = { ...r, overall: { ...r.overall, compression: r.overall.truthCompression - 0.04 } };
    const byName = Object.fromEntries(evaluateTargets(shifted).map((o) => [o.name, o.pass]));
    expect(byName).toEqual({
      'pairwise F1': false, 'B-cubed F1': false, 'compression delta': false, 'recurring merged': true, 'flapping split': true, 'two-cluster split': true,
    });
  });
});

describe('firingKey', () => {
  it('when the same start is written with different precision or offset, then the key is the same', () => {
    const k = firingKey('abc', '2026-01-05T00:00:13.360Z');
    expect(firingKey('abc', '2026-01-05T00:00:13.36Z')).toBe(k);
    expect(firingKey('abc', '2026-01-05T01:00:13.36+01:00')).toBe(k);
    expect(firingKey('abc', '2026-01-05T00:00:14Z')).not.toBe(k);
  });
});

describe('parseGroundTruth', () => {
  it('when one firing is listed in two incidents, then the truth is rejected naming both', () => {
    expect(() => parseGroundTruth({ version: 1, incidents: [{ id: 'a', kind: 'x', firings: [at('q')] }, { id: 'b', kind: 'x', firings: [at('q')] }] }))
      .toThrow(/fp-q.*in both a and b/);
  });
});
