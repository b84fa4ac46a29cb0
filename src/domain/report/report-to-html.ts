import type { IncidentMeasures } from '../incident-metrics';
import { pageName, type IncidentPage } from '../incident-pages';
import { escapeHtml, safeHttpUrl } from './html-escape';
import { renderHumanMarkdown } from './human-markdown-to-html';
import { renderMetricChartSvg, type MetricSnapshot } from './metric-chart-svg';
import { formatDuration } from './report-to-markdown';
import type { ReportHint } from './report-draft';
import type { ActionItem, ReportSectionView, ReportTimelineEntry, ReportView, TimedPart } from './report-model';
import { markedCauses } from './suspect-verdicts';

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
  const report = input.report;
  const title = `Post-mortem: ${report.summary.title}`;
  const body: string[] = [];
  body.push(`<header class="doc-header">
<h1>${escapeHtml(title)}</h1>
<p class="meta">${workflowBadge(report)} · Version ${report.version} · Incident <code>${escapeHtml(report.incidentId)}</code> · Generated ${time(report.generatedAt)}</p>
</header>`);
  body.push(customerSummaryBlock(report));
  for (const section of report.sections) {
    body.push(`<section class="report-section" id="section-${section.id}">`);
    body.push(`<h2>${escapeHtml(section.title)} ${originBadge(section.status)}</h2>`);
    if (section.id === 'summary') body.push(summaryBlock(report, input.measures));
    if (section.id === 'timeline') body.push(timelineBlock(report, input));
    if (section.id === 'prevention') body.push(preventionBlock(report));
    if (section.id === 'what-happened') body.push(causeBlock(report));
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

function workflowBadge(report: ReportView): string {
  const label = report.status === 'in_review' ? 'In review' : report.status === 'published' ? 'Published' : 'Draft';
  const extra = report.status === 'published' && report.publishedAt ? ` ${time(report.publishedAt)}${report.publishedBy ? ` by ${escapeHtml(report.publishedBy)}` : ''}` : '';
  return `<span class="badge status-${report.status}">${label}</span>${extra}`;
}

function originBadge(status: ReportSectionView['status']): string {
  const label = status === 'needs-human' ? 'needs a person' : status;
  return `<span class="badge origin-${status}">${label}</span>`;
}

function customerSummaryBlock(report: ReportView): string {
  const cs = report.customerSummary;
  const inner = cs.text ? renderHumanMarkdown(cs.text) : '<p class="todo">No customer summary yet (required to publish).</p>';
  return `<aside class="customer-summary"><h2>Customer summary ${originBadge(cs.status)}</h2>${inner}</aside>`;
}

/** `PagerDuty #1234 "Checkout is down"` linked to the page when its URL is http(s), and its status. */
function pagedCell(page: IncidentPage): string {
  const name = escapeHtml(pageName(page));
  const href = safeHttpUrl(page.url);
  const linked = href ? `<a href="${escapeHtml(href)}">${name}</a>` : name;
  return `${linked}${page.status ? `, ${escapeHtml(page.status)}` : ''}`;
}

function summaryBlock(report: ReportView, measured: IncidentMeasures): string {
  const summary = report.summary;
  // Versions published before the drafted end ended at the last alert.
  const lastAlertEnded = summary.lastAlertEndedAt === undefined ? summary.endedAt : summary.lastAlertEndedAt;
  const rows: Array<[string, string]> = [
    ['Title', escapeHtml(summary.title)],
    ['Severity', escapeHtml(summary.severity ?? 'unknown')],
    ['Status', escapeHtml(summary.status)],
    ['First alert', time(summary.startedAt)],
    ['Ended', summary.endedAt ? `${time(summary.endedAt)}${summary.endNote ? ` <span class="note">${escapeHtml(summary.endNote)}</span>` : ''}` : 'ongoing'],
    ['Last alert ended', lastAlertEnded ? time(lastAlertEnded) : 'ongoing'],
    ['Impact started', timedPart(report.impactWindow.startedAt)],
    ['Impact ended', timedPart(report.impactWindow.endedAt, 'ongoing')],
    ['Mitigated', timedPart(report.mitigatedAt, 'not recorded')],
    ['Duration', summary.durationMs === null ? 'ongoing' : escapeHtml(formatDuration(summary.durationMs))],
    ['Affected services', summary.affectedServices.length ? summary.affectedServices.map(escapeHtml).join(', ') : 'none identified'],
    ['Customer-facing', summary.customerFacing === null ? 'unknown' : summary.customerFacing ? 'yes' : 'no'],
    ['Alerts', String(summary.alertCount)],
    ...(summary.pages ?? []).map((page): [string, string] => ['Paged', pagedCell(page)]),
  ];
  const measures: Array<[string, number | null, string]> = [
    ['Time to detect', measured.timeToDetectMs, 'recorded impact start to first alert (unknown unless recorded earlier than the first alert)'],
    ['Time to acknowledge', measured.timeToAcknowledgeMs, 'first alert to first page acknowledgement (unknown without one)'],
    ['Time to mitigate', measured.timeToMitigateMs, 'impact start to mitigation'],
    ['Time to resolve', measured.timeToResolveMs, 'impact start to resolution'],
  ];
  const out = [`<table class="facts"><tbody>${rows.map(([label, value]) => `<tr><th scope="row">${label}</th><td>${value}</td></tr>`).join('')}</tbody></table>`];
  out.push(`<h3>Response times</h3><table class="measures"><thead><tr><th scope="col">Measure</th><th scope="col">Value</th><th scope="col">From – to</th></tr></thead><tbody>${
    measures.map(([label, ms, how]) => `<tr><th scope="row">${label}</th><td>${ms === null ? '—' : escapeHtml(formatDuration(ms))}</td><td>${how}</td></tr>`).join('')}</tbody></table>`);
  if (report.impact.length) {
    out.push(`<h3>Impact</h3><table class="impact"><thead><tr><th scope="col">Service</th><th scope="col">Severity</th><th scope="col">Where</th><th scope="col">First seen</th><th scope="col">Last seen</th><th scope="col">Duration</th><th scope="col">Alerts</th><th scope="col">Customer-facing</th></tr></thead><tbody>${
      report.impact.map((item) => `<tr><td>${escapeHtml(item.service)}</td><td>${escapeHtml(item.severity ?? '')}</td><td>${escapeHtml([...item.clusters, ...item.namespaces, ...item.regions].join(', '))}</td><td>${time(item.firstSeenAt)}</td><td>${item.ongoing ? 'ongoing' : time(item.lastSeenAt)}</td><td>${escapeHtml(formatDuration(item.durationMs))}${item.ongoing ? '+' : ''}</td><td>${item.alertCount}</td><td>${item.customerFacing === null ? 'unknown' : item.customerFacing ? 'yes' : 'no'}</td></tr>`).join('')}</tbody></table>`);
  }
  return out.join('\n');
}

function timelineBlock(report: ReportView, input: HtmlExportInput): string {
  const out = [`<figure class="timeline-picture">${input.timelineSvg}</figure>`];
  if (input.metricSnapshots.length) {
    out.push('<h3>Metrics around the incident</h3><div class="charts">');
    for (const snapshot of input.metricSnapshots) {
      out.push(snapshot.chart
        ? `<figure class="chart">${renderMetricChartSvg(snapshot.chart)}<figcaption>${escapeHtml(snapshot.rule)}: <code>${escapeHtml(snapshot.expr ?? '')}</code>${snapshot.note ? ` (${escapeHtml(snapshot.note)})` : ''}</figcaption></figure>`
        : `<p class="note">${escapeHtml(snapshot.rule)}: ${escapeHtml(snapshot.note ?? 'no chart')}</p>`);
    }
    out.push('</div>');
  }
  if (report.timeline.length === 0) {
    out.push('<p>No events yet.</p>');
  } else {
    out.push(`<table class="timeline"><thead><tr><th scope="col">Time (UTC)</th><th scope="col">Event</th><th scope="col">Source</th></tr></thead><tbody>${
      report.timeline.map(timelineRow).join('')}</tbody></table>`);
  }
  return out.join('\n');
}

function timelineRow(entry: ReportTimelineEntry): string {
  const text = entry.textFormat === 'markdown' ? renderHumanMarkdown(entry.text) : escapeHtml(entry.text);
  const actor = entry.actor ? ` <span class="actor">(${escapeHtml(entry.actor)})</span>` : '';
  const corrected = entry.machine ? ` <span class="corrected">corrected${entry.editedBy ? ` by ${escapeHtml(entry.editedBy)}` : ''}; was ${time(entry.machine.at)}: ${escapeHtml(entry.machine.text)}</span>` : '';
  return `<tr class="origin-${entry.origin}"><td>${time(entry.at)}</td><td>${text}${actor}${corrected}</td><td>${escapeHtml(entry.source)}</td></tr>`;
}

/** The suspects people marked as the cause: above the section's text, whoever wrote it. */
function causeBlock(report: ReportView): string {
  return markedCauses(report.suspects).map((cause) => {
    const url = safeHttpUrl(cause.url);
    const text = url ? `<a href="${escapeHtml(url)}" rel="noopener noreferrer nofollow">${escapeHtml(cause.text)}</a>` : escapeHtml(cause.text);
    return `<p class="cause"><strong>Cause</strong> (marked by ${escapeHtml(cause.by ?? 'a person')}${cause.at ? `, ${time(cause.at)}` : ''}): ${text}</p>`;
  }).join('\n');
}

function preventionBlock(report: ReportView): string {
  const out: string[] = [];
  if (report.actionItems.length) {
    out.push(`<table class="action-items"><thead><tr><th scope="col">Action item</th><th scope="col">Owner</th><th scope="col">Due</th><th scope="col">Status</th><th scope="col">Tracker</th></tr></thead><tbody>${
      report.actionItems.map(actionItemRow).join('')}</tbody></table>`);
  }
  if (report.preventionNoneNeeded.text) {
    out.push(`<div class="none-needed"><strong>No action items needed:</strong> ${renderHumanMarkdown(report.preventionNoneNeeded.text)}</div>`);
  }
  return out.join('\n');
}

function actionItemRow(item: ActionItem): string {
  const url = safeHttpUrl(item.trackerUrl);
  const link = url ? `<a href="${escapeHtml(url)}" rel="noopener noreferrer nofollow">${escapeHtml(url)}</a>` : item.trackerUrl ? escapeHtml(item.trackerUrl) : '';
  return `<tr><td>${escapeHtml(item.title)}</td><td>${escapeHtml(item.owner ?? '')}</td><td>${escapeHtml(item.dueDate ?? '')}</td><td>${escapeHtml(item.status.replace('_', ' '))}</td><td>${link}</td></tr>`;
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

function hint(reportHint: ReportHint): string {
  const url = safeHttpUrl(reportHint.url);
  const text = url ? `<a href="${escapeHtml(url)}" rel="noopener noreferrer nofollow">${escapeHtml(reportHint.text)}</a>` : escapeHtml(reportHint.text);
  return `<li><span class="hint-source">${escapeHtml(reportHint.source)}:</span> ${text}</li>`;
}

function deliveriesBlock(deliveries: readonly DeliveryView[]): string {
  return `<section class="report-section deliveries"><h2>Notifications sent</h2><table><thead><tr><th scope="col">Target</th><th scope="col">Event</th><th scope="col">Version</th><th scope="col">Outcome</th><th scope="col">Attempts</th><th scope="col">Last error</th><th scope="col">Updated</th></tr></thead><tbody>${
    deliveries.map((delivery) => `<tr><td>${escapeHtml(delivery.target)}</td><td>${escapeHtml(delivery.event)}</td><td>${delivery.version}</td><td>${escapeHtml(delivery.status)}${delivery.lastStatusCode ? ` (HTTP ${delivery.lastStatusCode})` : ''}</td><td>${delivery.attempts}</td><td>${escapeHtml(delivery.lastError ?? '')}</td><td>${time(delivery.updatedAt)}</td></tr>`).join('')}</tbody></table></section>`;
}

function timedPart(part: TimedPart, missing = 'unknown'): string {
  if (!part.at) return missing;
  if (part.origin === 'human-completed') return `${time(part.at)} <span class="badge origin-human-completed">set${part.setBy ? ` by ${escapeHtml(part.setBy)}` : ''}</span>`;
  return `${time(part.at)}${part.machineNote ? ` <span class="note">${escapeHtml(part.machineNote)}</span>` : ''}`;
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
