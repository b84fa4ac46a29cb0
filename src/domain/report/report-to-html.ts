import type { IncidentMeasures } from '../incident-metrics';
import { escapeHtml, safeHttpUrl } from './html-escape';
import { renderHumanMarkdown } from './human-markdown-to-html';
import { renderMetricChartSvg, type MetricSnapshot } from './metric-chart-svg';
import { formatDuration } from './report-to-markdown';
import type { ReportHint } from './report-draft';
import type { ActionItem, ReportSectionView, ReportTimelineEntry, ReportView, TimedPart } from './report-model';

/** One outbound notification's outcome, as shown on the report. */
export interface DeliveryView {
  target: string;
  event: string;
  version: number;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastError: string | null;
  lastStatusCode: number | null;
  updatedAt: string;
}

export interface HtmlExportInput {
  report: ReportView;
  measures: IncidentMeasures;
  /** The timeline picture, already drawn by `renderTimelineSvg`. */
  timelineSvg: string;
  metricSnapshots: readonly MetricSnapshot[];
  deliveries?: readonly DeliveryView[];
}

/**
 * The report as one standalone HTML document: inline CSS and SVG, no scripts, no external
 * assets, print-ready (A4/Letter via print CSS). Human Markdown is rendered through the
 * sanitizer; everything from alerts (labels, annotations, hints) is escaped. Pure.
 */
export function renderReportHtml(input: HtmlExportInput): string {
  const r = input.report;
  const title = `Post-mortem: ${r.summary.title}`;
  const body: string[] = [];
  body.push(`<header class="doc-header">
<h1>${escapeHtml(title)}</h1>
<p class="meta">${workflowBadge(r)} · Version ${r.version} · Incident <code>${escapeHtml(r.incidentId)}</code> · Generated ${time(r.generatedAt)}</p>
</header>`);
  body.push(customerSummaryBlock(r));
  for (const section of r.sections) {
    body.push(`<section class="report-section" id="section-${section.id}">`);
    body.push(`<h2>${escapeHtml(section.title)} ${originBadge(section.status)}</h2>`);
    if (section.id === 'summary') body.push(summaryBlock(r, input.measures));
    if (section.id === 'timeline') body.push(timelineBlock(r, input));
    if (section.id === 'prevention') body.push(preventionBlock(r));
    body.push(sectionText(section));
    body.push('</section>');
  }
  if (input.deliveries && input.deliveries.length) body.push(deliveriesBlock(input.deliveries));
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Debrief">
<title>${escapeHtml(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<main>
${body.join('\n')}
</main>
<footer>Exported by Debrief. Times are UTC. Parts marked “machine-drafted” were written by Debrief from alerts and pages; “human-completed” parts were written by people.</footer>
</body>
</html>
`;
}

function workflowBadge(r: ReportView): string {
  const label = r.status === 'in_review' ? 'In review' : r.status === 'published' ? 'Published' : 'Draft';
  const extra = r.status === 'published' && r.publishedAt ? ` ${time(r.publishedAt)}${r.publishedBy ? ` by ${escapeHtml(r.publishedBy)}` : ''}` : '';
  return `<span class="badge status-${r.status}">${label}</span>${extra}`;
}

function originBadge(status: ReportSectionView['status']): string {
  const label = status === 'needs-human' ? 'needs a person' : status;
  return `<span class="badge origin-${status}">${label}</span>`;
}

function customerSummaryBlock(r: ReportView): string {
  const cs = r.customerSummary;
  const inner = cs.text ? renderHumanMarkdown(cs.text) : '<p class="todo">No customer summary yet (required to publish).</p>';
  return `<aside class="customer-summary"><h2>Customer summary ${originBadge(cs.status)}</h2>${inner}</aside>`;
}

function summaryBlock(r: ReportView, m: IncidentMeasures): string {
  const s = r.summary;
  const rows: Array<[string, string]> = [
    ['Title', escapeHtml(s.title)],
    ['Severity', escapeHtml(s.severity ?? 'unknown')],
    ['Status', escapeHtml(s.status)],
    ['First alert', time(s.startedAt)],
    ['Last alert ended', s.endedAt ? time(s.endedAt) : 'ongoing'],
    ['Impact started', timedPart(r.impactWindow.startedAt)],
    ['Impact ended', timedPart(r.impactWindow.endedAt, 'ongoing')],
    ['Mitigated', timedPart(r.mitigatedAt, 'not recorded')],
    ['Duration', s.durationMs === null ? 'ongoing' : escapeHtml(formatDuration(s.durationMs))],
    ['Affected services', s.affectedServices.length ? s.affectedServices.map(escapeHtml).join(', ') : 'none identified'],
    ['Customer-facing', s.customerFacing === null ? 'unknown' : s.customerFacing ? 'yes' : 'no'],
    ['Alerts', String(s.alertCount)],
  ];
  const measures: Array<[string, number | null, string]> = [
    ['Time to detect', m.timeToDetectMs, 'impact start to first alert'],
    ['Time to acknowledge', m.timeToAcknowledgeMs, 'first alert to first page acknowledgement'],
    ['Time to mitigate', m.timeToMitigateMs, 'impact start to mitigation'],
    ['Time to resolve', m.timeToResolveMs, 'impact start to resolution'],
  ];
  const out = [`<table class="facts"><tbody>${rows.map(([k, v]) => `<tr><th scope="row">${k}</th><td>${v}</td></tr>`).join('')}</tbody></table>`];
  out.push(`<h3>Response times</h3><table class="measures"><thead><tr><th scope="col">Measure</th><th scope="col">Value</th><th scope="col">From – to</th></tr></thead><tbody>${
    measures.map(([k, v, how]) => `<tr><th scope="row">${k}</th><td>${v === null ? '—' : escapeHtml(formatDuration(v))}</td><td>${how}</td></tr>`).join('')}</tbody></table>`);
  if (r.impact.length) {
    out.push(`<h3>Impact</h3><table class="impact"><thead><tr><th scope="col">Service</th><th scope="col">Severity</th><th scope="col">Where</th><th scope="col">First seen</th><th scope="col">Last seen</th><th scope="col">Duration</th><th scope="col">Alerts</th><th scope="col">Customer-facing</th></tr></thead><tbody>${
      r.impact.map((i) => `<tr><td>${escapeHtml(i.service)}</td><td>${escapeHtml(i.severity ?? '')}</td><td>${escapeHtml([...i.clusters, ...i.namespaces, ...i.regions].join(', '))}</td><td>${time(i.firstSeenAt)}</td><td>${i.ongoing ? 'ongoing' : time(i.lastSeenAt)}</td><td>${escapeHtml(formatDuration(i.durationMs))}${i.ongoing ? '+' : ''}</td><td>${i.alertCount}</td><td>${i.customerFacing === null ? 'unknown' : i.customerFacing ? 'yes' : 'no'}</td></tr>`).join('')}</tbody></table>`);
  }
  return out.join('\n');
}

function timelineBlock(r: ReportView, input: HtmlExportInput): string {
  const out = [`<figure class="timeline-picture">${input.timelineSvg}</figure>`];
  if (input.metricSnapshots.length) {
    out.push('<h3>Metrics around the incident</h3><div class="charts">');
    for (const s of input.metricSnapshots) {
      out.push(s.chart
        ? `<figure class="chart">${renderMetricChartSvg(s.chart)}<figcaption>${escapeHtml(s.rule)}: <code>${escapeHtml(s.expr ?? '')}</code></figcaption></figure>`
        : `<p class="note">${escapeHtml(s.rule)}: ${escapeHtml(s.note ?? 'no chart')}</p>`);
    }
    out.push('</div>');
  }
  if (r.timeline.length === 0) {
    out.push('<p>No events yet.</p>');
  } else {
    out.push(`<table class="timeline"><thead><tr><th scope="col">Time (UTC)</th><th scope="col">Event</th><th scope="col">Source</th></tr></thead><tbody>${
      r.timeline.map(timelineRow).join('')}</tbody></table>`);
  }
  return out.join('\n');
}

function timelineRow(e: ReportTimelineEntry): string {
  const text = e.textFormat === 'markdown' ? renderHumanMarkdown(e.text) : escapeHtml(e.text);
  const actor = e.actor ? ` <span class="actor">(${escapeHtml(e.actor)})</span>` : '';
  const corrected = e.machine ? ` <span class="corrected">corrected${e.editedBy ? ` by ${escapeHtml(e.editedBy)}` : ''}; was ${time(e.machine.at)}: ${escapeHtml(e.machine.text)}</span>` : '';
  return `<tr class="origin-${e.origin}"><td>${time(e.at)}</td><td>${text}${actor}${corrected}</td><td>${escapeHtml(e.source)}</td></tr>`;
}

function preventionBlock(r: ReportView): string {
  const out: string[] = [];
  if (r.actionItems.length) {
    out.push(`<table class="action-items"><thead><tr><th scope="col">Action item</th><th scope="col">Owner</th><th scope="col">Due</th><th scope="col">Status</th><th scope="col">Tracker</th></tr></thead><tbody>${
      r.actionItems.map(actionItemRow).join('')}</tbody></table>`);
  }
  if (r.preventionNoneNeeded.text) {
    out.push(`<div class="none-needed"><strong>No action items needed:</strong> ${renderHumanMarkdown(r.preventionNoneNeeded.text)}</div>`);
  }
  return out.join('\n');
}

function actionItemRow(a: ActionItem): string {
  const url = safeHttpUrl(a.trackerUrl);
  const link = url ? `<a href="${escapeHtml(url)}" rel="noopener noreferrer nofollow">${escapeHtml(url)}</a>` : a.trackerUrl ? escapeHtml(a.trackerUrl) : '';
  return `<tr><td>${escapeHtml(a.title)}</td><td>${escapeHtml(a.owner ?? '')}</td><td>${escapeHtml(a.dueDate ?? '')}</td><td>${escapeHtml(a.status.replace('_', ' '))}</td><td>${link}</td></tr>`;
}

function sectionText(section: ReportSectionView): string {
  if (section.text) {
    const by = section.completedBy ? `<p class="byline">Written by ${escapeHtml(section.completedBy)}${section.completedAt ? `, ${time(section.completedAt)}` : ''}</p>` : '';
    return `<div class="human-text">${renderHumanMarkdown(section.text)}</div>${by}`;
  }
  const out: string[] = [];
  if (section.machineText && section.id !== 'timeline') out.push(`<p class="machine-text">${escapeHtml(section.machineText)}</p>`);
  if (section.status === 'needs-human') {
    out.push(`<p class="todo">To complete: ${PROMPTS[section.id] ?? 'complete this section.'}</p>`);
    if (section.hints.length) out.push(`<p class="hints-title">Hints from the alerts:</p><ul class="hints">${section.hints.map(hint).join('')}</ul>`);
  }
  return out.join('\n');
}

const PROMPTS: Partial<Record<ReportSectionView['id'], string>> = {
  'what-happened': 'describe the cause (hardware, software, process, human error, or a mix).',
  fix: 'describe how service was restored.',
  prevention: 'list action items (title, owner, due date) and what will stop this recurring.',
};

function hint(h: ReportHint): string {
  const url = safeHttpUrl(h.url);
  const text = url ? `<a href="${escapeHtml(url)}" rel="noopener noreferrer nofollow">${escapeHtml(h.text)}</a>` : escapeHtml(h.text);
  return `<li><span class="hint-source">${escapeHtml(h.source)}:</span> ${text}</li>`;
}

function deliveriesBlock(deliveries: readonly DeliveryView[]): string {
  return `<section class="report-section deliveries"><h2>Notifications sent</h2><table><thead><tr><th scope="col">Target</th><th scope="col">Event</th><th scope="col">Version</th><th scope="col">Outcome</th><th scope="col">Attempts</th><th scope="col">Last error</th><th scope="col">Updated</th></tr></thead><tbody>${
    deliveries.map((d) => `<tr><td>${escapeHtml(d.target)}</td><td>${escapeHtml(d.event)}</td><td>${d.version}</td><td>${escapeHtml(d.status)}${d.lastStatusCode ? ` (HTTP ${d.lastStatusCode})` : ''}</td><td>${d.attempts}</td><td>${escapeHtml(d.lastError ?? '')}</td><td>${time(d.updatedAt)}</td></tr>`).join('')}</tbody></table></section>`;
}

function timedPart(p: TimedPart, missing = 'unknown'): string {
  if (!p.at) return missing;
  return `${time(p.at)}${p.origin === 'human-completed' ? ` <span class="badge origin-human-completed">set${p.setBy ? ` by ${escapeHtml(p.setBy)}` : ''}</span>` : ''}`;
}

const time = (iso: string): string => `<time datetime="${escapeHtml(iso)}">${escapeHtml(iso.replace('T', ' ').replace(/\.\d{3}Z$/, 'Z').replace(/Z$/, ' UTC'))}</time>`;

const REPORT_CSS = `
:root{color-scheme:light}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2933;background:#fff;margin:0}
main{max-width:62rem;margin:0 auto;padding:1.5rem}
h1{font-size:1.7rem;margin:0 0 .3rem}h2{font-size:1.3rem;margin:1.6rem 0 .6rem;border-bottom:2px solid #d9dee3;padding-bottom:.2rem}h3{font-size:1.05rem;margin:1rem 0 .4rem}
.meta{color:#52606d;margin:0}
.badge{display:inline-block;font-size:.72rem;font-weight:600;border-radius:999px;padding:.05rem .55rem;vertical-align:middle;border:1px solid currentColor}
.badge.status-draft{color:#52606d}.badge.status-in_review{color:#8d6e00}.badge.status-published{color:#1b5e20}
.badge.origin-machine-drafted{color:#1565c0}.badge.origin-human-completed{color:#1b5e20}.badge.origin-needs-human{color:#b3261e}
table{border-collapse:collapse;width:100%;margin:.4rem 0 1rem;font-size:.92rem}
th,td{border:1px solid #d9dee3;padding:.3rem .5rem;text-align:left;vertical-align:top}
thead th{background:#eef2f6}table.facts th{width:12rem;background:#f7f9fb}
tr.origin-human-completed td:first-child{border-left:3px solid #2e7d32}
.customer-summary{background:#f3f8ff;border:1px solid #c5d9f1;border-radius:6px;padding:.2rem 1rem .6rem;margin:1rem 0}
.customer-summary h2{border:0;margin-top:.6rem}
.todo{color:#b3261e;font-weight:600}.hints-title{margin-bottom:.2rem}.hint-source{color:#52606d}
.machine-text{color:#323f4b}.byline,.actor,.corrected{color:#52606d;font-size:.85rem}
.note{color:#52606d;font-style:italic}
figure{margin:.5rem 0}figure svg{max-width:100%;height:auto}
.charts{display:flex;flex-wrap:wrap;gap:.8rem}.charts figure{flex:0 1 480px}figcaption{font-size:.8rem;color:#52606d;overflow-wrap:anywhere}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.88em;background:#f4f6f8;padding:0 .2rem;border-radius:3px}
pre{background:#f4f6f8;padding:.6rem;overflow-x:auto}
td p{margin:0}
footer{max-width:62rem;margin:0 auto;padding:1rem 1.5rem 2rem;color:#52606d;font-size:.8rem;border-top:1px solid #d9dee3}
a{color:#1565c0}
@page{size:A4;margin:16mm 14mm}
@media print{
  body{font-size:10.5pt}main{max-width:none;padding:0}
  h2{break-after:avoid}table,figure,.customer-summary{break-inside:avoid}tr{break-inside:avoid}
  thead{display:table-header-group}
  a{color:inherit;text-decoration:underline}
  a[href^="http"]::after{content:" (" attr(href) ")";font-size:.8em;color:#52606d;overflow-wrap:anywhere}
  .badge{border-color:#52606d;color:#1f2933}
  footer{border:0}
}
`.trim();
