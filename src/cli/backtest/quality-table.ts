import { evaluateTargets, type QualityFigures, type QualityReport, type QualityTargets } from './correlation-scoring';

/** Plain-text tables of quality figures, shared by `debrief backtest --truth` and the bench. */

export const num = (x: number | null | undefined, digits = 3): string => (x === null || x === undefined || Number.isNaN(x) ? '—' : x.toFixed(digits));

export function table(header: string[], rows: string[][], alignLeft = 1): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i < alignLeft ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n');
}

const figureCells = (f: QualityFigures): string[] => [
  String(f.firings),
  String(f.trueIncidents),
  String(f.predictedIncidents),
  num(f.pairwise.precision),
  num(f.pairwise.recall),
  num(f.pairwise.f1),
  num(f.bcubed.precision),
  num(f.bcubed.recall),
  num(f.bcubed.f1),
  num(f.exactShare),
  num(f.compression),
  num(f.truthCompression),
];

export const FIGURE_HEADER = ['firings', 'true inc', 'incidents', 'pair P', 'pair R', 'pair F1', 'B3 P', 'B3 R', 'B3 F1', 'exact', 'compr', 'truth compr'];

/** Overall and per-kind figures of one clustering. */
export function qualityTable(report: QualityReport): string {
  const rows = [['overall', ...figureCells(report.overall)]];
  for (const [kind, f] of Object.entries(report.byKind)) rows.push([kind, ...figureCells(f)]);
  return table(['kind', ...FIGURE_HEADER], rows);
}

/** Checks and targets, one line each, e.g. `PASS  pairwise F1 0.934 (>= 0.9)`. */
export function targetLines(report: QualityReport, targets?: QualityTargets): string[] {
  const isCount = (name: string) => name.endsWith(' merged') || name.endsWith(' split');
  const lines = evaluateTargets(report, targets).map((t) => `${t.pass ? 'PASS' : 'MISS'}  ${t.name} ${isCount(t.name) ? String(t.value) : num(t.value)} (${t.target})`);
  const c = report.checks;
  for (const [name, check] of [['recurring merged', c.recurringMerged], ['flapping split', c.flappingSplit], ['two-cluster split', c.twoClusterSplit]] as const) {
    if (check.violations > 0) lines.push(`      ${name}: ${check.violations} of ${check.checked}, e.g. ${check.examples.join(', ')}`);
  }
  if (report.missingFirings > 0) lines.push(`note  ${report.missingFirings} truth firings were never placed in an incident`);
  if (report.unknownFirings > 0) lines.push(`note  ${report.unknownFirings} placed firings are not in the truth file (ignored)`);
  return lines;
}
