import { evaluateTargets, type QualityFigures, type QualityReport, type QualityTargets } from './correlation-scoring';

/** Plain-text tables of quality figures, shared by `debrief backtest --truth` and the bench. */

export const num = (value: number | null | undefined, digits = 3): string => (value === null || value === undefined || Number.isNaN(value) ? '—' : value.toFixed(digits));

export function table(header: string[], rows: string[][], alignLeft = 1): string {
  const widths = header.map((heading, index) => Math.max(heading.length, ...rows.map((row) => (row[index] ?? '').length)));
  const fmt = (cells: string[]) => cells.map((cell, index) => (index < alignLeft ? cell.padEnd(widths[index]!) : cell.padStart(widths[index]!))).join('  ').trimEnd();
  return [fmt(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(fmt)].join('\n');
}

const figureCells = (figures: QualityFigures): string[] => [
  String(figures.firings),
  String(figures.trueIncidents),
  String(figures.predictedIncidents),
  num(figures.pairwise.precision),
  num(figures.pairwise.recall),
  num(figures.pairwise.f1),
  num(figures.bcubed.precision),
  num(figures.bcubed.recall),
  num(figures.bcubed.f1),
  num(figures.exactShare),
  num(figures.compression),
  num(figures.truthCompression),
];

export const FIGURE_HEADER = ['firings', 'true inc', 'incidents', 'pair P', 'pair R', 'pair F1', 'B3 P', 'B3 R', 'B3 F1', 'exact', 'compr', 'truth compr'];

/** Overall and per-kind figures of one clustering. */
export function qualityTable(report: QualityReport): string {
  const rows = [['overall', ...figureCells(report.overall)]];
  for (const [kind, figures] of Object.entries(report.byKind)) rows.push([kind, ...figureCells(figures)]);
  return table(['kind', ...FIGURE_HEADER], rows);
}

/** Checks and targets, one line each, e.g. `PASS  pairwise F1 0.934 (>= 0.9)`. */
export function targetLines(report: QualityReport, targets?: QualityTargets): string[] {
  const isCount = (name: string) => name.endsWith(' merged') || name.endsWith(' split');
  const lines = evaluateTargets(report, targets).map((outcome) => `${outcome.pass ? 'PASS' : 'MISS'}  ${outcome.name} ${isCount(outcome.name) ? String(outcome.value) : num(outcome.value)} (${outcome.target})`);
  const checks = report.checks;
  for (const [name, check] of [['recurring merged', checks.recurringMerged], ['flapping split', checks.flappingSplit], ['two-cluster split', checks.twoClusterSplit]] as const) {
    if (check.violations > 0) lines.push(`      ${name}: ${check.violations} of ${check.checked}, e.g. ${check.examples.join(', ')}`);
  }
  if (report.missingFirings > 0) lines.push(`note  ${report.missingFirings} truth firings were never placed in an incident`);
  if (report.unknownFirings > 0) lines.push(`note  ${report.unknownFirings} placed firings are not in the truth file (ignored)`);
  return lines;
}
