import { alertName } from '../alert';
import type { IncidentDetail } from '../incident';
import { facetKey, facetOf, facetsOf } from '../incident-facets';
import type { ServiceLabels } from '../service-naming';
import { REPEATS_SUMMED_FROM } from '../timeline';
import { escapeXml, truncate } from './html-escape';
import { readableTime } from './readable-time';
import { renderSvgDocument, svgNumber } from './svg-document';

/**
 * The data of an incident's timeline picture: a lane per affected service with a bar per
 * alert firing span, and markers for acknowledge/mitigate/resolve and human entries. Kept as
 * plain data (it is part of the JSON export) and drawn by `renderTimelineSvg`.
 */
export interface TimelinePicture {
  title: string;
  /** Axis window (UTC ISO). */
  start: string;
  end: string;
  lanes: TimelineLane[];
  markers: TimelineMarker[];
}

export interface TimelineLane {
  service: string;
  bars: TimelineBar[];
}

export interface TimelineBar {
  label: string;
  start: string;
  /** For a still-firing alert: the time the picture was drawn. */
  end: string;
  ongoing: boolean;
  severity: string | null;
  /** A bar that stands for repeated firings of one alert on one service (as the timeline sums them): how many. */
  count?: number;
}

export type MarkerKind = 'impact-start' | 'acknowledged' | 'mitigated' | 'resolved' | 'human';

export interface TimelineMarker {
  at: string;
  kind: MarkerKind;
  label: string;
}

/** A human timeline entry as the picture needs it. */
export interface HumanMark {
  at: string;
  text: string;
}

export interface TimelinePictureOptions {
  serviceLabels: ServiceLabels;
  /** Right edge for still-firing alerts (passed in: pure). */
  now: string;
  impactStartedAt?: string | null;
  mitigatedAt?: string | null;
  resolvedAt?: string | null;
  humanEntries?: readonly HumanMark[];
}

const UNLABELLED = '(unlabelled)';

/** Builds the picture from an incident's alerts and events. Pure. */
export function buildTimelinePicture(detail: IncidentDetail, options: TimelinePictureOptions): TimelinePicture {
  const { incident } = detail;
  const lanes = new Map<string, TimelineBar[]>();
  const add = (service: string | null, bar: TimelineBar) => {
    const lane = service ?? UNLABELLED;
    const list = lanes.get(lane);
    if (list) list.push(bar);
    else lanes.set(lane, [bar]);
  };
  // Repeated firings of one facet are one bar, as the timeline sums them (`REPEATS_SUMMED_FROM`).
  const facets = detail.facets ?? facetsOf(detail.alerts, options.serviceLabels);
  const sampled = (detail.alertsOmitted ?? 0) > 0;
  const summed = new Set<string>();
  for (const f of facets) {
    if (!sampled && f.alerts < REPEATS_SUMMED_FROM) continue;
    summed.add(facetKey(f.alertname, f.service));
    const ongoing = f.firing > 0 || f.lastEndAt === null;
    const end = ongoing ? maxIso(options.now, f.lastStartAt) : f.lastEndAt!;
    add(f.service, { label: `${f.alertname} ×${f.alerts.toLocaleString('en-US')}`, start: f.firstAt, end, ongoing, severity: f.severity, count: f.alerts });
  }
  const alerts = [...detail.alerts].sort((a, b) => a.startsAt.localeCompare(b.startsAt) || a.id.localeCompare(b.id));
  for (const alert of alerts) {
    const { alertname, service } = facetOf(alert, options.serviceLabels);
    if (summed.has(facetKey(alertname, service))) continue;
    const ongoing = !(alert.status === 'resolved' && alert.endsAt);
    const end = ongoing ? maxIso(options.now, alert.startsAt) : alert.endsAt!;
    add(service, { label: alertName(alert), start: alert.startsAt, end, ongoing, severity: alert.labels.severity ?? null });
  }
  for (const list of lanes.values()) list.sort((a, b) => a.start.localeCompare(b.start));
  const markers: TimelineMarker[] = [];
  if (options.impactStartedAt) markers.push({ at: options.impactStartedAt, kind: 'impact-start', label: 'Impact started' });
  for (const event of detail.events) {
    if (/\.acknowledged$/.test(event.kind)) markers.push({ at: event.at, kind: 'acknowledged', label: event.text || 'Acknowledged' });
  }
  if (options.mitigatedAt) markers.push({ at: options.mitigatedAt, kind: 'mitigated', label: 'Mitigated' });
  const resolvedAt = options.resolvedAt ?? incident.endedAt;
  if (resolvedAt) markers.push({ at: resolvedAt, kind: 'resolved', label: 'Resolved' });
  for (const entry of options.humanEntries ?? []) markers.push({ at: entry.at, kind: 'human', label: entry.text });
  markers.sort((a, b) => a.at.localeCompare(b.at) || a.kind.localeCompare(b.kind) || a.label.localeCompare(b.label));

  const bars = [...lanes.values()].flat();
  const times = [incident.startedAt, ...bars.map((bar) => bar.start), ...bars.map((bar) => bar.end), ...markers.map((marker) => marker.at)]
    .filter((time) => Number.isFinite(Date.parse(time)));
  const t0 = Math.min(...times.map(Date.parse));
  const t1 = Math.max(...times.map(Date.parse));
  // A margin so bars and markers at the edges are not clipped; at least a minute each side.
  const pad = Math.max(60_000, Math.round((t1 - t0) * 0.04));
  return {
    title: incident.title,
    start: new Date(t0 - pad).toISOString(),
    end: new Date(t1 + pad).toISOString(),
    lanes: [...lanes].map(([service, bars]) => ({ service, bars }))
      .sort((a, b) => a.bars[0]!.start.localeCompare(b.bars[0]!.start) || a.service.localeCompare(b.service)),
    markers,
  };
}

const maxIso = (a: string, b: string): string => (Date.parse(a) >= Date.parse(b) ? a : b);

// ------------------------------------------------------------------ drawing

const WIDTH = 960;
const LEFT = 180;
const RIGHT = 24;
const AXIS_Y = 46;
const ROW_H = 18;
const BAR_H = 12;
const LANE_PAD = 8;
const MAX_ROWS = 6;
const MARKER_ROW_H = 30;
const LEGEND_H = 28;

// Every fill that carries white text (bar labels, marker glyphs) is dark enough for a contrast of
// at least 4.5:1 against it, on the white background and on the lanes' grey stripes alike.
const SEVERITY_COLOURS: Array<[RegExp, string]> = [
  [/^(critical|page|p1|disaster|emergency)$/i, '#b3261e'],
  [/^(error|high|major|p2)$/i, '#b34700'],
  [/^(warning|warn|medium|p3)$/i, '#856100'],
];
const barColour = (severity: string | null): string => SEVERITY_COLOURS.find(([re]) => severity && re.test(severity))?.[1] ?? '#5f6b7a';

const MARKERS: Record<MarkerKind, { colour: string; glyph: string; name: string }> = {
  'impact-start': { colour: '#7b1fa2', glyph: 'I', name: 'impact start' },
  acknowledged: { colour: '#1565c0', glyph: 'A', name: 'acknowledged' },
  mitigated: { colour: '#c2410c', glyph: 'M', name: 'mitigated' },
  resolved: { colour: '#2e7d32', glyph: 'R', name: 'resolved' },
  human: { colour: '#455a64', glyph: 'H', name: 'human entry' },
};

/**
 * Draws the picture as a standalone, accessible SVG (`role="img"`, `<title>`, `<desc>`,
 * aria-label). Deterministic: the same picture always gives the same bytes (no ids, no
 * clock, fixed number formatting). Every text from alerts or people is XML-escaped; no
 * foreignObject, scripts, links or external references.
 */
export function renderTimelineSvg(picture: TimelinePicture): string {
  const t0 = Date.parse(picture.start);
  const t1 = Math.max(Date.parse(picture.end), t0 + 60_000);
  const plotW = WIDTH - LEFT - RIGHT;
  const x = (iso: string): number => LEFT + (clamp(Date.parse(iso), t0, t1) - t0) / (t1 - t0) * plotW;

  const laneLayouts = picture.lanes.map((lane) => ({ lane, rows: packRows(lane.bars) }));
  let y = AXIS_Y + 10;
  const body: string[] = [];
  const gridTop = y;
  for (const [laneIndex, { lane, rows }] of laneLayouts.entries()) {
    const rowCount = Math.max(1, Math.min(MAX_ROWS, rows.length));
    const laneHeight = rowCount * ROW_H + LANE_PAD;
    body.push(`<g class="lane">`);
    if (laneIndex % 2 === 0) body.push(`<rect x="0" y="${svgNumber(y)}" width="${WIDTH}" height="${svgNumber(laneHeight)}" fill="#f4f6f8"/>`);
    body.push(`<text x="${LEFT - 8}" y="${svgNumber(y + laneHeight / 2 + 4)}" text-anchor="end" font-size="12" fill="#1f2933">${escapeXml(truncate(lane.service, 24))}<title>${escapeXml(lane.service)}</title></text>`);
    rows.forEach((row, rowIndex) => {
      const rowY = y + LANE_PAD / 2 + Math.min(rowIndex, MAX_ROWS - 1) * ROW_H + (ROW_H - BAR_H) / 2;
      for (const bar of row) {
        const x0 = x(bar.start);
        const barWidth = Math.max(2, x(bar.end) - x0);
        const tip = `${bar.label}${bar.severity ? ` (${bar.severity})` : ''}: ${readableTime(bar.start)} to ${bar.ongoing ? 'still firing' : readableTime(bar.end)}`;
        // Still firing: a dashed outline, not a paler fill (which would fade its white label).
        body.push(`<rect x="${svgNumber(x0)}" y="${svgNumber(rowY)}" width="${svgNumber(barWidth)}" height="${BAR_H}" rx="2" fill="${barColour(bar.severity)}"${bar.ongoing ? ' stroke="#1f2933" stroke-dasharray="3 2"' : ''}><title>${escapeXml(tip)}</title></rect>`);
        if (barWidth > 60) body.push(`<text x="${svgNumber(x0 + 4)}" y="${svgNumber(rowY + BAR_H - 2)}" font-size="10" fill="#ffffff">${escapeXml(truncate(bar.label, Math.floor(barWidth / 6.5)))}</text>`);
      }
    });
    body.push('</g>');
    y += laneHeight;
  }
  if (laneLayouts.length === 0) {
    body.push(`<text x="${LEFT}" y="${svgNumber(y + 18)}" font-size="12" fill="#52606d">No alerts.</text>`);
    y += 28;
  }
  const gridBottom = y;

  const axis: string[] = [`<line x1="${LEFT}" y1="${AXIS_Y}" x2="${WIDTH - RIGHT}" y2="${AXIS_Y}" stroke="#9aa5b1"/>`];
  const { stepMs, format } = tickStep(t0, t1);
  for (let tick = Math.ceil(t0 / stepMs) * stepMs; tick <= t1; tick += stepMs) {
    const tickX = LEFT + (tick - t0) / (t1 - t0) * plotW;
    axis.push(`<line x1="${svgNumber(tickX)}" y1="${AXIS_Y}" x2="${svgNumber(tickX)}" y2="${svgNumber(gridBottom)}" stroke="#d9dee3" stroke-width="1"/>`);
    axis.push(`<text x="${svgNumber(tickX)}" y="${AXIS_Y - 6}" text-anchor="middle" font-size="10" fill="#52606d">${format(new Date(tick))}</text>`);
  }

  const markerY = gridBottom + 4;
  const marks: string[] = [];
  for (const marker of picture.markers) {
    const style = MARKERS[marker.kind];
    const markerX = x(marker.at);
    const tip = `${style.name} at ${readableTime(marker.at)}: ${marker.label}`;
    marks.push(`<g class="marker marker-${marker.kind}"><title>${escapeXml(tip)}</title>`
      + `<line x1="${svgNumber(markerX)}" y1="${svgNumber(gridTop)}" x2="${svgNumber(markerX)}" y2="${svgNumber(markerY + 6)}" stroke="${style.colour}" stroke-width="1.5" stroke-dasharray="4 3"/>`
      + `<circle cx="${svgNumber(markerX)}" cy="${svgNumber(markerY + 14)}" r="8" fill="${style.colour}"/>`
      + `<text x="${svgNumber(markerX)}" y="${svgNumber(markerY + 18)}" text-anchor="middle" font-size="10" font-weight="bold" fill="#ffffff">${style.glyph}</text></g>`);
  }

  const legendY = markerY + MARKER_ROW_H + 4;
  const legend: string[] = [];
  let lx = 8;
  for (const [label, colour] of [['critical', barColour('critical')], ['error/high', barColour('error')], ['warning', barColour('warning')], ['other', barColour(null)]] as const) {
    legend.push(`<rect x="${lx}" y="${legendY}" width="12" height="10" fill="${colour}"/><text x="${lx + 16}" y="${legendY + 9}" font-size="10" fill="#52606d">${label}</text>`);
    lx += 84;
  }
  for (const kind of Object.keys(MARKERS) as MarkerKind[]) {
    const style = MARKERS[kind];
    legend.push(`<circle cx="${lx + 6}" cy="${legendY + 5}" r="6" fill="${style.colour}"/><text x="${lx + 6}" y="${legendY + 8}" text-anchor="middle" font-size="8" font-weight="bold" fill="#ffffff">${style.glyph}</text><text x="${lx + 16}" y="${legendY + 9}" font-size="10" fill="#52606d">${style.name}</text>`);
    lx += 106;
  }
  const height = legendY + LEGEND_H - 10;

  return renderSvgDocument(
    { width: WIDTH, height, title: `Timeline: ${picture.title}`, label: describe(picture), heading: { y: 18, fontSize: 13, maxChars: 120 } },
    [`<text x="${LEFT - 8}" y="${AXIS_Y - 6}" text-anchor="end" font-size="10" fill="#52606d">UTC</text>`, ...body, ...axis, ...marks, ...legend],
  );
}

/** One sentence for screen readers: what the picture shows. */
function describe(picture: TimelinePicture): string {
  const bars = picture.lanes.reduce((count, lane) => count + lane.bars.length, 0);
  const parts = [`Timeline of ${picture.title} from ${picture.start} to ${picture.end}: ${picture.lanes.length} service lane${picture.lanes.length === 1 ? '' : 's'} (${picture.lanes.map((lane) => lane.service).join(', ') || 'none'}), ${bars} alert${bars === 1 ? '' : 's'}`];
  const first = (kind: MarkerKind) => picture.markers.find((marker) => marker.kind === kind)?.at;
  for (const kind of ['impact-start', 'acknowledged', 'mitigated', 'resolved'] as const) {
    const at = first(kind);
    if (at) parts.push(`${MARKERS[kind].name} at ${at}`);
  }
  const humans = picture.markers.filter((marker) => marker.kind === 'human').length;
  if (humans) parts.push(`${humans} human entr${humans === 1 ? 'y' : 'ies'}`);
  return `${parts.join('; ')}.`;
}

/** Greedy interval packing: overlapping bars of one lane go to separate rows. Input is sorted by start. */
function packRows(bars: readonly TimelineBar[]): TimelineBar[][] {
  const rows: TimelineBar[][] = [];
  const rowEnds: number[] = [];
  for (const bar of [...bars].sort((a, b) => a.start.localeCompare(b.start) || a.label.localeCompare(b.label))) {
    const start = Date.parse(bar.start);
    const free = rowEnds.findIndex((end) => end <= start);
    if (free >= 0) {
      rows[free]!.push(bar);
      rowEnds[free] = Date.parse(bar.end);
    } else {
      rows.push([bar]);
      rowEnds.push(Date.parse(bar.end));
    }
  }
  return rows;
}

const MINUTE = 60_000;
const STEPS = [MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE, 60 * MINUTE, 2 * 60 * MINUTE, 3 * 60 * MINUTE, 6 * 60 * MINUTE, 12 * 60 * MINUTE, 24 * 60 * MINUTE, 2 * 24 * 60 * MINUTE, 7 * 24 * 60 * MINUTE, 30 * 24 * 60 * MINUTE];

/**
 * A tick step giving at most 8 ticks, and a label format that fits it (UTC). When the span
 * crosses into another year, dates carry the year and the first new day is always named, so
 * "01-02" is never read as the wrong January.
 */
function tickStep(t0: number, t1: number): { stepMs: number; format: (date: Date) => string } {
  const spanMs = t1 - t0;
  const stepMs = STEPS.find((step) => spanMs / step <= 8) ?? STEPS.at(-1)!;
  const crossesYear = new Date(t0).getUTCFullYear() !== new Date(t1).getUTCFullYear();
  const hourMinute = (date: Date) => date.toISOString().slice(11, 16);
  const day = (date: Date) => date.toISOString().slice(crossesYear ? 0 : 5, 10);
  const midnight = (date: Date) => date.getUTCHours() === 0 && date.getUTCMinutes() === 0;
  if (stepMs >= 24 * 60 * MINUTE) return { stepMs, format: day };
  if (spanMs > 20 * 60 * MINUTE || crossesYear) return { stepMs, format: (date) => (midnight(date) ? day(date) : hourMinute(date)) };
  return { stepMs, format: hourMinute };
}

const clamp = (value: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, value));
