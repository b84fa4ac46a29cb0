import { measureIncident } from '../../src/domain/incident-metrics';
import { buildExportDocument } from '../../src/domain/report/export-document';
import { renderHumanMarkdown } from '../../src/domain/report/human-markdown-to-html';
import { renderReportHtml } from '../../src/domain/report/report-to-html';
import { renderReportMarkdown } from '../../src/domain/report/report-to-markdown';
import { renderTimelineSvg } from '../../src/domain/report/timeline-svg';
import { actionItem, alert, event, h, HOSTILE, HOSTILE_TEXT, incidentDetail, reportView, SERVICE_LABELS } from '../support/report-fixtures';
import { activeContent, textContent } from '../support/xml-wellformed';

const T = (min: number) => new Date(Date.parse('2026-03-01T10:00:00.000Z') + min * 60_000).toISOString();

function hostileIncident() {
  return incidentDetail([
    alert({
      labels: { alertname: `Boom${HOSTILE.script}`, service: HOSTILE.attrBreak, severity: 'critical', cluster: HOSTILE.mdLink },
      annotations: { summary: HOSTILE_TEXT, description: HOSTILE_TEXT, runbook_url: 'javascript:alert(1)' },
      startsAt: T(0), endsAt: T(30),
      generatorUrl: 'javascript:alert(document.cookie)',
    }),
  ], [event('pagerduty.annotated', T(5), HOSTILE_TEXT, 'inc-1', HOSTILE.attrBreak)]);
}

function render(detail = hostileIncident(), view = reportView(detail)) {
  const doc = buildExportDocument({ detail, report: view, serviceLabels: SERVICE_LABELS, now: T(60), metricSnapshots: [], deliveries: [] });
  return renderReportHtml({ report: view, measures: doc.measures, timelineSvg: renderTimelineSvg(doc.timelinePicture), metricSnapshots: [], deliveries: [] });
}

describe('renderReportHtml', () => {
  it('when labels, annotations and PagerDuty notes hold HTML, Markdown links and control characters, then the HTML has no active content and shows them as text', () => {
    const html = render();
    expect(activeContent(html)).toEqual([]);
    expect(html).not.toMatch(/[\u0000\u0007\u001b\u202e]/);
    const text = textContent(html);
    expect(text).toContain('Boom<script>alert("x")</script>');
    expect(text).toContain('[click me](javascript:alert(1))');
    expect(html).not.toContain('href="javascript:');
  });

  it('when people write Markdown with raw HTML, javascript: links and images in sections, timeline entries and the customer summary, then it renders formatted but inert', () => {
    const detail = incidentDetail([alert({ labels: { alertname: 'Down', service: 'api' }, startsAt: T(0), endsAt: T(10) })]);
    const md = `**Bold cause** and <script>alert(1)</script> <img src=x onerror=alert(2)>\n\n[bad](javascript:alert(3)) [good](https://example.com/pm) ![pixel](https://tracker.example/p.gif)\n\n${HOSTILE.control}`;
    const view = reportView(detail, {
      content: {
        sections: { 'what-happened': h.text(md), fix: h.text(md) },
        customerSummary: h.text(md),
        timelineEntries: [{ id: 'human:1', at: T(3), text: md, createdBy: 'bob', createdAt: T(4), updatedBy: 'bob', updatedAt: T(4) }],
      },
    });
    const html = render(detail, view);
    expect(activeContent(html)).toEqual([]);
    expect(html).toContain('<strong>Bold cause</strong>');
    expect(html).toContain('<a href="https://example.com/pm" rel="noopener noreferrer nofollow">good</a>');
    // The image became a link to it: nothing is loaded when the report is opened.
    expect(html).toContain('<a href="https://tracker.example/p.gif" rel="noopener noreferrer nofollow">pixel</a>');
    expect(textContent(html)).toContain('<script>alert(1)</script>');
    expect(html).not.toMatch(/[\u0007\u001b\u202e]/);
  });

  it('when rendered, then it is one standalone document: inline CSS and SVG, print CSS, no scripts, stylesheets or external loads', () => {
    const detail = incidentDetail([alert({ labels: { alertname: 'Down', service: 'api' }, startsAt: T(0), endsAt: T(10) })]);
    const html = render(detail);
    expect(html).toMatch(/^<!DOCTYPE html>\n<html lang="en">/);
    expect(html).toContain('<style>');
    expect(html).toContain('@media print');
    expect(html).toContain('@page');
    expect(html).toMatch(/<figure class="timeline-picture"><svg [^>]*role="img"/);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
    expect(html.match(/ src=/g)).toBeNull();
  });

  it('when rendered, then it holds the five sections in order with machine/human badges, the response times and the action items', () => {
    const detail = incidentDetail([
      alert({ labels: { alertname: 'Down', service: 'api', severity: 'critical' }, startsAt: T(0), endsAt: T(40) }),
    ], [event('pagerduty.acknowledged', T(4), 'Acknowledged by Jane')]);
    const view = reportView(detail, {
      content: { sections: { fix: h.text('Rolled back the deploy.') }, impactStartedAt: h.time(T(-10)), mitigatedAt: h.time(T(20)) },
      actionItems: [actionItem({ title: 'Add canary', owner: 'bob', dueDate: '2026-04-01', trackerUrl: 'https://tracker.example/T-1' })],
    });
    const html = render(detail, view);
    const order = ['Incident summary', 'Incident timeline', 'What happened', 'What was done to fix it', 'How we will prevent this'].map((t) => html.indexOf(`<h2>${t} `));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(html).toMatch(/What was done to fix it <span class="badge origin-human-completed">human-completed<\/span>/);
    expect(html).toMatch(/What happened <span class="badge origin-needs-human">needs a person<\/span>/);
    const text = textContent(html);
    expect(text).toMatch(/Time to detect\s+10m 0s/);
    expect(text).toMatch(/Time to acknowledge\s+4m 0s/);
    expect(text).toMatch(/Time to mitigate\s+30m 0s/);
    expect(text).toMatch(/Time to resolve\s+50m 0s/);
    expect(html).toContain('<td>Add canary</td><td>bob</td><td>2026-04-01</td><td>open</td>');
  });

  it('when measured, then the HTML and the measures agree with measureIncident', () => {
    const detail = incidentDetail([alert({ labels: { alertname: 'Down', service: 'api' }, startsAt: T(0), endsAt: T(40) })]);
    const doc = buildExportDocument({ detail, report: reportView(detail), serviceLabels: SERVICE_LABELS, now: T(60), metricSnapshots: [], deliveries: [] });
    expect(doc.measures).toEqual(measureIncident(detail, {}, SERVICE_LABELS));
    expect(doc.report).not.toHaveProperty('hiddenTimeline');
  });
});

describe('renderHumanMarkdown', () => {
  it.each([
    ['raw script', '<script>alert(1)</script>'],
    ['attribute breakout', '"><img src=x onerror=alert(1)>'],
    ['javascript link', '[x](javascript:alert(1))'],
    ['data link', '[x](data:text/html;base64,PHNjcmlwdD4=)'],
    ['vbscript autolink', '<vbscript:msgbox(1)>'],
    ['html comment', '<!-- --><svg onload=alert(1)>'],
    ['reference link', '[x][1]\n\n[1]: javascript:alert(1)'],
  ])('when the Markdown holds a %s, then the HTML has no active content', (_name, md) => {
    expect(activeContent(renderHumanMarkdown(md))).toEqual([]);
  });

  it('when the Markdown is ordinary, then lists, emphasis, code and safe links are kept', () => {
    const html = renderHumanMarkdown('- one\n- **two**\n\n`code` and <https://example.com>');
    expect(html).toContain('<li><strong>two</strong></li>');
    expect(html).toContain('<code>code</code>');
    expect(html).toContain('<a href="https://example.com" rel="noopener noreferrer nofollow">https://example.com</a>');
  });
});

describe('renderReportMarkdown (existing export) with hostile alert text', () => {
  it('when labels and annotations hold HTML and Markdown, then they are escaped', () => {
    const detail = hostileIncident();
    const md = renderReportMarkdown(reportView(detail));
    expect(md).not.toContain('<script>');
    expect(md).not.toMatch(/(?<!\\)\]\(javascript:/);
    expect(md).not.toMatch(/[\u0000\u0007\u001b\u202e]/);
  });
});

describe('the pages an incident holds, in its exports', () => {
  const paged = (page: Record<string, unknown>) => {
    const ev = event('pagerduty.triggered', T(1), 'Triggered');
    return { ...ev, data: { instance: 'pagerduty', page: { id: 'PABC123', number: 1234, title: 'Checkout is down', url: 'https://acme.pagerduty.com/incidents/PABC123', status: 'triggered', urgency: 'high', priority: null, serviceId: null, serviceName: null, incidentKey: null, ...page } } };
  };
  const detailWith = (page: Record<string, unknown>) => incidentDetail([alert({ labels: { alertname: 'Down', service: 'api' }, startsAt: T(0) })], [paged(page)]);

  it('when an incident was paged, then report.md and report.html name the page by number and title and link to it', () => {
    const detail = detailWith({});
    expect(renderReportMarkdown(reportView(detail))).toContain('- **Paged:** PagerDuty #1234 "Checkout is down" ([link](https://acme.pagerduty.com/incidents/PABC123)), triggered');
    const html = render(detail);
    expect(html).toContain('<th scope="row">Paged</th><td><a href="https://acme.pagerduty.com/incidents/PABC123">PagerDuty #1234 &quot;Checkout is down&quot;</a>, triggered</td>');
  });

  it('when the page title holds markup and its link is not http(s), then both exports show text and no link', () => {
    const detail = detailWith({ title: `Down ${HOSTILE.script}`, url: 'javascript:alert(1)' });
    const md = renderReportMarkdown(reportView(detail));
    expect(md).not.toContain('<script>');
    expect(md).not.toContain('javascript:');
    const html = render(detail);
    expect(activeContent(html)).toEqual([]);
    expect(html).not.toContain('javascript:');
    expect(textContent(html)).toContain(`PagerDuty #1234 "Down ${'<script>alert("x")</script>'}"`);
  });
});
