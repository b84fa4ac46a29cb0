import { escapeMarkdownCell, escapeMarkdownText, markdownLink, stripControl } from '../../src/domain/report/markdown-escape';
import { formatDuration, renderReportMarkdown } from '../../src/domain/report/report-to-markdown';
import { composeReport } from '../../src/domain/report/compose-report';
import { draftReport } from '../../src/domain/report/report-draft';
import { emptyStoredReport } from '../../src/domain/report/report-model';
import { buildImpact } from '../../src/domain/impact';
import { buildTimeline } from '../../src/domain/timeline';
import type { Alert } from '../../src/domain/alert';
import { makeAlert, makeIncident } from '../support/domain-builders';

/** A Markdown link or autolink that a renderer would turn into a clickable javascript: URL. */
const JS_LINK = /(?<!\\)\]\(\s*javascript:|<javascript:/i;

describe('escapeMarkdownText', () => {
  it('when text contains HTML, then it comes out as entities', () => {
    expect(escapeMarkdownText('<script>alert(1)</script>')).toBe('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(escapeMarkdownText('a & b')).toBe('a &amp; b');
    expect(escapeMarkdownText('&lt;')).toBe('&amp;lt;');
  });

  it('when text contains Markdown syntax, then every syntax character is backslash-escaped', () => {
    expect(escapeMarkdownText('[x](javascript:alert(1))')).toBe('\\[x\\](javascript:alert(1))');
    expect(escapeMarkdownText('*bold* _em_ `code` ~strike~ a|b back\\slash')).toBe('\\*bold\\* \\_em\\_ \\`code\\` \\~strike\\~ a\\|b back\\\\slash');
    expect(escapeMarkdownText('[x](javascript:alert(1))')).not.toMatch(JS_LINK);
  });

  it('when text spans lines, then it is kept on one line so it cannot start a heading or list', () => {
    expect(escapeMarkdownText('first\n# heading\r\n- item')).toBe('first # heading - item');
  });

  it('when text has control or bidi override characters, then they are dropped', () => {
    expect(stripControl('a\u0000b\u0007c\u202ed\u2066e\tf')).toBe('abcde\tf');
    expect(escapeMarkdownText('ok\u001b[31m')).toBe('ok\\[31m');
  });

  it('when text goes into a table cell, then the pipe cannot split the row', () => {
    expect(escapeMarkdownCell('a | b\nc')).toBe('a \\| b c');
  });
});

describe('markdownLink', () => {
  it('when the URL is http(s), then it is a link with an escaped label', () => {
    expect(markdownLink('Runbook [x]', 'https://runbooks.example.invalid/a')).toBe('[Runbook \\[x\\]](https://runbooks.example.invalid/a)');
  });

  it('when the URL has parentheses, spaces or angle brackets, then they are percent-encoded so the link cannot break out', () => {
    expect(markdownLink('r', 'https://x.invalid/a b)(<c>')).toBe('[r](https://x.invalid/a%20b%29%28%3Cc%3E)');
  });

  it('when an http URL tries to close the link and open a javascript: one, then it cannot', () => {
    const md = markdownLink('Runbook', 'https://x.invalid/)[click](javascript:alert(1)');
    expect(md).toBe('[Runbook](https://x.invalid/%29[click]%28javascript:alert%281%29)');
    expect(md).not.toMatch(JS_LINK);
  });

  it('when the URL is not http(s), then only the escaped label is shown', () => {
    for (const url of ['javascript:alert(1)', 'JAVASCRIPT:alert(1)', 'data:text/html,<script>', ' https://x', 'ftp://x']) {
      expect(markdownLink('label', url)).toBe('label');
    }
    expect(markdownLink('[x](javascript:alert(1))', null)).not.toMatch(JS_LINK);
  });
});

describe('formatDuration', () => {
  it('when given milliseconds, then it reads as seconds, minutes or hours', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(42_000)).toBe('42s');
    expect(formatDuration(5 * 60_000 + 3_000)).toBe('5m 3s');
    expect(formatDuration(2 * 3_600_000 + 15 * 60_000)).toBe('2h 15m');
  });
});

describe('renderReportMarkdown', () => {
  const FIVE = ['Incident summary', 'Incident timeline', 'What happened', 'What was done to fix it', 'How we will prevent this'];
  const render = (alerts: Alert[], incident = makeIncident({ alertCount: alerts.length })) => {
    const timeline = buildTimeline(alerts, [], ['service']);
    const impact = buildImpact(alerts, ['service']);
    const generatedAt = '2026-11-26T16:00:00.000Z';
    const draft = draftReport({ incident, alerts, events: [], timeline, impact, generatedAt });
    const postmortem = { required: true, reason: 'critical incident', policy: { required: true, reason: 'critical incident' }, requested: null, waived: null };
    return renderReportMarkdown(composeReport({ draft, stored: emptyStoredReport(incident.id), actionItems: [], postmortem, generatedAt }));
  };
  /** The text under a `## title` heading, up to the next `## ` heading. */
  const section = (md: string, title: string) => md.split(`\n## ${title}\n`)[1]!.split('\n## ')[0]!;

  const alert = makeAlert({
    labels: { alertname: 'HighErrorRate', service: 'checkout', severity: 'critical' },
    annotations: { summary: 'Checkout 5xx at 27%', description: 'Requests fail.', runbook_url: 'https://runbooks.example.invalid/hre' },
    startsAt: '2026-11-26T14:00:00.000Z', endsAt: '2026-11-26T14:20:00.000Z',
  });

  it('when rendered, then the title comes first and the five section headings follow in order', () => {
    const md = render([alert], makeIncident({ title: 'HighErrorRate on checkout', status: 'resolved', endedAt: '2026-11-26T14:20:00.000Z' }));
    expect(md.split('\n')[0]).toBe('# Post-mortem: HighErrorRate on checkout');
    const h2 = md.split('\n').filter((l) => l.startsWith('## ')).map((l) => l.slice(3));
    expect(h2.filter((h) => FIVE.includes(h))).toEqual(FIVE);
    expect(md.endsWith('\n')).toBe(true);
  });

  it('when rendered, then summary facts, impact row and timeline rows are filled in', () => {
    const md = render([alert], makeIncident({ status: 'resolved', endedAt: '2026-11-26T14:20:00.000Z' }));
    expect(section(md, 'Incident summary')).toContain('- **Duration:** 20m 0s');
    expect(section(md, 'Incident summary')).toContain('| checkout | critical | 2026-11-26T14:00:00.000Z | 2026-11-26T14:20:00.000Z | 20m 0s | 1 |');
    const timeline = section(md, 'Incident timeline');
    expect(timeline).toMatch(/^\| 2026-11-26T14:00:00\.000Z \| HighErrorRate fired on checkout: Checkout 5xx at 27% \| alertmanager \|/m);
    expect(timeline).toMatch(/^\| 2026-11-26T14:20:00\.000Z \| HighErrorRate resolved on checkout \| alertmanager \|/m);
  });

  it('when a section needs a human, then it carries a "To complete" marker and its hints', () => {
    const md = render([alert]);
    expect(section(md, 'What happened')).toContain('> **To complete:** describe the cause');
    expect(section(md, 'What happened')).toContain('- annotation description of HighErrorRate: Requests fail.');
    expect(section(md, 'What was done to fix it')).toContain('> **To complete:**');
    expect(section(md, 'What was done to fix it')).toContain('[Runbook for HighErrorRate](https://runbooks.example.invalid/hre)');
    expect(section(md, 'How we will prevent this')).toContain('> **To complete:** list action items');
    expect(section(md, 'Incident summary')).not.toContain('To complete');
    expect(section(md, 'Incident timeline')).not.toContain('To complete');
  });

  it('when the incident is ongoing, then the summary says so', () => {
    const md = render([makeAlert({ labels: { alertname: 'Up', service: 'api' } })]);
    expect(md).toContain('- **Ended:** ongoing');
    expect(md).toContain('- **Duration:** ongoing');
  });

  it('when there are no alerts or events, then the timeline says so instead of an empty table', () => {
    expect(section(render([], makeIncident({ alertCount: 0 })), 'Incident timeline')).toContain('No events yet.');
  });

  it('when labels and annotations are hostile, then no raw HTML and no javascript: link reach the output', () => {
    const hostile = makeAlert({
      labels: { alertname: '[x](javascript:alert(1))', service: '<script>alert(1)</script>', severity: '<b>critical</b>' },
      annotations: {
        summary: '<img src=x onerror=alert(1)>|cell',
        description: '[y](javascript:alert(2))\n## injected',
        runbook_url: 'javascript:alert(3)',
      },
      generatorUrl: 'javascript:alert(4)',
    });
    const md = render([hostile], makeIncident({ title: '[x](javascript:alert(1)) on <script>alert(1)</script>', services: ['<script>alert(1)</script>'] }));
    expect(md).not.toMatch(/<script|<img|<b>/i);
    expect(md).not.toMatch(JS_LINK);
    expect(md.split('\n').some((l) => /^\s{0,3}#+ .*injected/.test(l))).toBe(false);
    expect(md).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    // Every table row has as many cells as its header: the pipe in the summary split nothing.
    const cells = (row: string) => row.split(/(?<!\\)\|/).length;
    const tables = md.split('\n\n').filter((block) => block.startsWith('|'));
    expect(tables.length).toBeGreaterThanOrEqual(2);
    for (const table of tables) {
      const [header, ...rows] = table.split('\n');
      for (const row of rows) expect([row, cells(row)]).toEqual([row, cells(header!)]);
    }
  });
});
