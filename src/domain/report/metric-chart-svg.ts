import { escapeXml, truncate } from './html-escape';
import { renderSvgDocument, svgNumber } from './svg-document';

/** One Prometheus series over the snapshot window. Times are Unix seconds (Prometheus's unit). */
export interface MetricSeries {
  labels: Record<string, string>;
  points: Array<[number, number]>;
}

export interface MetricChart {
  /** The alert rule (alert name) the expression came from. */
  title: string;
  expr: string;
  /** Chart window (UTC ISO). */
  start: string;
  end: string;
  /** The incident's span, shaded. `end` null while ongoing. */
  incidentStart: string;
  incidentEnd: string | null;
  series: MetricSeries[];
}

const WIDTH = 480;
const HEIGHT = 170;
const MARGIN_LEFT = 56;
const MARGIN_RIGHT = 12;
const MARGIN_TOP = 28;
const MARGIN_BOTTOM = 36;
const MAX_SERIES = 6;
const PALETTE = ['#1565c0', '#b3261e', '#2e7d32', '#ef6c00', '#6a1b9a', '#00838f'];

/**
 * A small line chart of an alert's expression around the incident, as an accessible SVG.
 * Deterministic and escaped like the timeline picture; at most six series are drawn (the
 * rest are counted in the description), and non-finite values (NaN, +Inf) break the line.
 */
export function renderMetricChartSvg(chart: MetricChart): string {
  const t0 = Date.parse(chart.start) / 1000;
  const t1 = Math.max(Date.parse(chart.end) / 1000, t0 + 1);
  const drawn = chart.series.slice(0, MAX_SERIES);
  const values = drawn.flatMap((series) => series.points.map(([, value]) => value)).filter(Number.isFinite);
  let lo = values.length ? Math.min(...values) : 0;
  let hi = values.length ? Math.max(...values) : 1;
  if (lo === hi) {
    lo -= Math.abs(lo) * 0.1 || 1;
    hi += Math.abs(hi) * 0.1 || 1;
  }
  const pw = WIDTH - MARGIN_LEFT - MARGIN_RIGHT;
  const ph = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM;
  const x = (time: number) => MARGIN_LEFT + (Math.min(t1, Math.max(t0, time)) - t0) / (t1 - t0) * pw;
  const y = (value: number) => MARGIN_TOP + ph - (value - lo) / (hi - lo) * ph;

  const parts: string[] = [];
  const iStart = x(Date.parse(chart.incidentStart) / 1000);
  const iEnd = x(chart.incidentEnd ? Date.parse(chart.incidentEnd) / 1000 : t1);
  parts.push(`<rect x="${svgNumber(iStart)}" y="${MARGIN_TOP}" width="${svgNumber(Math.max(1, iEnd - iStart))}" height="${ph}" fill="#fdecea"><title>incident window</title></rect>`);
  parts.push(`<rect x="${MARGIN_LEFT}" y="${MARGIN_TOP}" width="${pw}" height="${ph}" fill="none" stroke="#9aa5b1"/>`);
  parts.push(`<text x="${MARGIN_LEFT - 4}" y="${MARGIN_TOP + 8}" text-anchor="end" font-size="9" fill="#52606d">${escapeXml(num(hi))}</text>`);
  parts.push(`<text x="${MARGIN_LEFT - 4}" y="${MARGIN_TOP + ph}" text-anchor="end" font-size="9" fill="#52606d">${escapeXml(num(lo))}</text>`);
  parts.push(`<text x="${MARGIN_LEFT}" y="${HEIGHT - MARGIN_BOTTOM + 14}" font-size="9" fill="#52606d">${chart.start.slice(11, 16)} UTC</text>`);
  parts.push(`<text x="${WIDTH - MARGIN_RIGHT}" y="${HEIGHT - MARGIN_BOTTOM + 14}" text-anchor="end" font-size="9" fill="#52606d">${chart.end.slice(11, 16)} UTC</text>`);

  drawn.forEach((series, index) => {
    const colour = PALETTE[index % PALETTE.length]!;
    const segments: Array<Array<[number, number]>> = [[]];
    for (const [time, value] of [...series.points].sort((a, b) => a[0] - b[0])) {
      if (!Number.isFinite(value)) {
        if (segments.at(-1)!.length) segments.push([]);
        continue;
      }
      segments.at(-1)!.push([x(time), y(value)]);
    }
    const name = escapeXml(seriesName(series.labels));
    for (const seg of segments) {
      const [first] = seg;
      if (!first) continue;
      if (seg.length === 1) parts.push(`<circle cx="${svgNumber(first[0])}" cy="${svgNumber(first[1])}" r="1.5" fill="${colour}"><title>${name}</title></circle>`);
      else parts.push(`<polyline fill="none" stroke="${colour}" stroke-width="1.5" points="${seg.map(([px, py]) => `${svgNumber(px)},${svgNumber(py)}`).join(' ')}"><title>${name}</title></polyline>`);
    }
  });
  if (chart.series.length === 0) parts.push(`<text x="${MARGIN_LEFT + pw / 2}" y="${MARGIN_TOP + ph / 2}" text-anchor="middle" font-size="11" fill="#52606d">no data in this window</text>`);

  const legend = drawn.map((series, index) => `<tspan fill="${PALETTE[index % PALETTE.length]}">■</tspan> ${escapeXml(truncate(seriesName(series.labels), 40))}`).slice(0, 2).join('  ');
  if (legend) parts.push(`<text x="${MARGIN_LEFT}" y="${HEIGHT - 6}" font-size="9" fill="#52606d">${legend}${chart.series.length > 2 ? ` (+${chart.series.length - 2} more)` : ''}</text>`);

  const label = `${chart.title}: ${chart.expr} from ${chart.start} to ${chart.end}, ${chart.series.length} series${chart.series.length > MAX_SERIES ? ` (${MAX_SERIES} drawn)` : ''}, values ${values.length ? `${num(Math.min(...values))} to ${num(Math.max(...values))}` : 'none'}; shaded: the incident.`;
  return renderSvgDocument({ width: WIDTH, height: HEIGHT, title: `${chart.title}: ${chart.expr}`, label, heading: { y: 16, fontSize: 11, maxChars: 80 } }, parts);
}

/** `{job="api", instance="x"}` style name of a series; `{}` for a label-less result. */
export function seriesName(labels: Record<string, string>): string {
  const { __name__: name, ...rest } = labels;
  const inner = Object.keys(rest).sort().map((labelName) => `${labelName}="${rest[labelName]}"`).join(', ');
  return `${name ?? ''}{${inner}}`;
}

/** Short, stable number formatting for axis labels. */
function num(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude >= 1e6 || magnitude < 1e-3)) return value.toExponential(2);
  return String(Math.round(value * 1000) / 1000);
}

/**
 * The metric snapshot of one alert rule, as the report carries it: either a chart's data, or
 * a note saying why there is none (Prometheus unreachable, no expression in the alert, ...).
 */
export interface MetricSnapshot {
  /** Alert name of the rule. */
  rule: string;
  /** The PromQL expression from the alert's generatorURL; null when it had none. */
  expr: string | null;
  /** `refused`: Debrief did not run the expression (an unbounded selector, not the alert rule's). */
  status: 'ok' | 'no-data' | 'no-expression' | 'unavailable' | 'error' | 'refused';
  /** Why there is no chart (or what it leaves out), in words a reader understands; null when there is nothing to say. */
  note: string | null;
  chart: MetricChart | null;
}
