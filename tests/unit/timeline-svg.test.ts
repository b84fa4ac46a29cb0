import { buildTimelinePicture, renderTimelineSvg, type TimelinePicture } from '../../src/domain/report/timeline-svg';
import { alert, event, HOSTILE, HOSTILE_TEXT, incidentDetail, SERVICE_LABELS } from '../support/report-fixtures';
import { activeContent, textContent, xmlProblems } from '../support/xml-wellformed';

const T = (min: number) => new Date(Date.parse('2026-03-01T10:00:00.000Z') + min * 60_000).toISOString();
const NOW = T(120);

function twoServiceIncident() {
  return incidentDetail([
    alert({ id: 'a1', labels: { alertname: 'HighErrorRate', service: 'checkout', severity: 'critical' }, startsAt: T(0), endsAt: T(30) }),
    alert({ id: 'a2', labels: { alertname: 'HighLatency', service: 'checkout', severity: 'warning' }, startsAt: T(5), endsAt: T(25) }),
    alert({ id: 'a3', labels: { alertname: 'QueueBacklog', service: 'payments', severity: 'warning' }, startsAt: T(10) }),
  ], [
    event('pagerduty.acknowledged', T(4), 'Acknowledged by Jane'),
    event('pagerduty.annotated', T(6), 'looking'),
  ]);
}

describe('buildTimelinePicture', () => {
  it('when alerts affect two services, then there is a lane per service with a bar per alert firing span', () => {
    const p = buildTimelinePicture(twoServiceIncident(), { serviceLabels: SERVICE_LABELS, now: NOW });
    expect(p.lanes.map((l) => l.service)).toEqual(['checkout', 'payments']);
    expect(p.lanes[0]!.bars.map((b) => [b.label, b.start, b.end, b.ongoing])).toEqual([
      ['HighErrorRate', T(0), T(30), false],
      ['HighLatency', T(5), T(25), false],
    ]);
    expect(p.lanes[1]!.bars).toEqual([{ label: 'QueueBacklog', start: T(10), end: NOW, ongoing: true, severity: 'warning' }]);
  });

  it('when the incident was acknowledged, mitigated, resolved and annotated by people, then each has a marker', () => {
    const detail = incidentDetail([
      alert({ labels: { alertname: 'Down', service: 'api' }, startsAt: T(0), endsAt: T(40) }),
    ], [event('pagerduty.acknowledged', T(3), 'Acknowledged by Jane')]);
    const p = buildTimelinePicture(detail, {
      serviceLabels: SERVICE_LABELS, now: NOW, impactStartedAt: T(-10), mitigatedAt: T(20), humanEntries: [{ at: T(15), text: 'rolled back' }],
    });
    expect(p.markers.map((m) => [m.kind, m.at])).toEqual([
      ['impact-start', T(-10)], ['acknowledged', T(3)], ['human', T(15)], ['mitigated', T(20)], ['resolved', T(40)],
    ]);
    expect(Date.parse(p.start)).toBeLessThan(Date.parse(T(-10)));
    expect(Date.parse(p.end)).toBeGreaterThan(Date.parse(T(40)));
  });

  it('when an alert has no service label, then it is drawn in an "(unlabelled)" lane rather than dropped', () => {
    const p = buildTimelinePicture(incidentDetail([alert({ labels: { alertname: 'Mystery' }, startsAt: T(0), endsAt: T(1) })]), { serviceLabels: SERVICE_LABELS, now: NOW });
    expect(p.lanes.map((l) => l.service)).toEqual(['(unlabelled)']);
  });
});

describe('renderTimelineSvg', () => {
  const picture = () => buildTimelinePicture(twoServiceIncident(), { serviceLabels: SERVICE_LABELS, now: NOW, mitigatedAt: T(20), humanEntries: [{ at: T(15), text: 'rolled back' }] });

  it('when drawn, then it is a well-formed, accessible SVG image with a title, description and aria-label', () => {
    const svg = renderTimelineSvg(picture());
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" role="img" aria-label="Timeline of [^"]+"/);
    expect(svg).toMatch(/<title>Timeline: HighErrorRate, HighLatency and 1 more on checkout, payments<\/title>/);
    expect(svg).toContain('<desc>');
    const label = /aria-label="([^"]*)"/.exec(svg)![1]!;
    expect(label).toContain('2 service lanes (checkout, payments), 3 alerts');
    expect(label).toContain(`acknowledged at ${T(4)}`);
    expect(label).toContain(`mitigated at ${T(20)}`);
  });

  it('when drawn, then it shows one bar per alert, the lanes\' names and a marker per acknowledge/mitigate/human entry', () => {
    const svg = renderTimelineSvg(picture());
    expect(svg.match(/<rect [^>]*rx="2"/g)).toHaveLength(3);
    expect(textContent(svg)).toContain('checkout');
    expect(textContent(svg)).toContain('payments');
    expect(svg.match(/class="marker marker-acknowledged"/g)).toHaveLength(1);
    expect(svg.match(/class="marker marker-mitigated"/g)).toHaveLength(1);
    expect(svg.match(/class="marker marker-human"/g)).toHaveLength(1);
    expect(svg).not.toContain('marker-resolved"'); // still firing on payments
  });

  it('when the same picture is drawn twice, or built from alerts listed in another order, then the bytes are identical', () => {
    const a = renderTimelineSvg(picture());
    const b = renderTimelineSvg(picture());
    const detail = twoServiceIncident();
    const reversed = { ...detail, alerts: [...detail.alerts].reverse() };
    const c = renderTimelineSvg(buildTimelinePicture(reversed, { serviceLabels: SERVICE_LABELS, now: NOW, mitigatedAt: T(20), humanEntries: [{ at: T(15), text: 'rolled back' }] }));
    expect(b).toBe(a);
    expect(c).toBe(a);
  });

  it('when labels and human text hold markup, attribute breakouts, Markdown links and control characters, then the SVG stays inert and well-formed', () => {
    const hostile: TimelinePicture = {
      title: HOSTILE_TEXT,
      start: T(0), end: T(60),
      lanes: [{ service: HOSTILE.attrBreak, bars: [{ label: HOSTILE.script, start: T(1), end: T(50), ongoing: false, severity: HOSTILE.attrBreak }] }],
      markers: [{ at: T(10), kind: 'human', label: HOSTILE_TEXT }],
    };
    const svg = renderTimelineSvg(hostile);
    expect(xmlProblems(svg)).toEqual([]);
    expect(activeContent(svg)).toEqual([]);
    expect(svg).not.toMatch(/<a[\s>]|href=/);
    expect(svg).not.toMatch(/[\u0000\u0007\u001b\u202e]/);
    // The hostile text is still readable as text.
    expect(textContent(svg)).toContain('<script>alert("x")</script>');
    expect(textContent(svg)).toContain('[click me](javascript:alert(1))');
  });

  it('when there are no alerts, then it still renders a valid picture saying so', () => {
    const svg = renderTimelineSvg({ title: 'empty', start: T(0), end: T(10), lanes: [], markers: [] });
    expect(xmlProblems(svg)).toEqual([]);
    expect(textContent(svg)).toContain('No alerts.');
  });

  it('when the span crosses into a new year, then the axis names the year; within one year it does not', () => {
    const bar = (start: string, end: string) => ({ service: 'checkout', bars: [{ label: 'HighErrorRate', start, end, ongoing: false, severity: 'critical' }] });
    const crossing = renderTimelineSvg({ title: 'new year', start: '2026-12-31T20:00:00.000Z', end: '2027-01-01T04:00:00.000Z', lanes: [bar('2026-12-31T21:00:00.000Z', '2027-01-01T03:00:00.000Z')], markers: [] });
    expect(crossing).toContain('>2027-01-01</text>');
    const days = renderTimelineSvg({ title: 'days', start: '2026-12-28T00:00:00.000Z', end: '2027-01-03T00:00:00.000Z', lanes: [bar('2026-12-28T01:00:00.000Z', '2027-01-02T00:00:00.000Z')], markers: [] });
    expect(days).toMatch(/>2026-12-\d\d<\/text>/);
    expect(days).toMatch(/>2027-01-0\d<\/text>/);
    const inside = renderTimelineSvg({ title: 'days', start: '2026-03-01T00:00:00.000Z', end: '2026-03-05T00:00:00.000Z', lanes: [bar('2026-03-01T01:00:00.000Z', '2026-03-04T00:00:00.000Z')], markers: [] });
    expect(inside).toContain('>03-02</text>');
    expect(inside).not.toMatch(/>2026-03-0\d<\/text>/);
  });

  it('when drawn, then white text sits on fills with a contrast of at least 4.5:1, and still-firing bars keep their full colour', () => {
    const svg = renderTimelineSvg(buildTimelinePicture(twoServiceIncident(), { serviceLabels: SERVICE_LABELS, now: NOW, mitigatedAt: T(20), resolvedAt: T(40), humanEntries: [{ at: T(8), text: 'note' }] }));
    const fills = new Set([...svg.matchAll(/fill="(#[0-9a-f]{6})"/g)].map((m) => m[1]!).filter((c) => !['#ffffff', '#f4f6f8'].includes(c)));
    expect(fills.size).toBeGreaterThan(5);
    for (const colour of fills) expect(contrast(colour, '#ffffff')).toBeGreaterThanOrEqual(4.5);
    expect(svg).not.toContain('fill-opacity');
    expect(svg).toContain('stroke-dasharray="3 2"'); // QueueBacklog is still firing
  });

  it('when hovered, then bars and markers give their details with times as people read them', () => {
    const svg = renderTimelineSvg(buildTimelinePicture(twoServiceIncident(), { serviceLabels: SERVICE_LABELS, now: NOW, mitigatedAt: T(20) }));
    expect(svg).toContain('<title>HighErrorRate (critical): 2026-03-01 10:00:00 UTC to 2026-03-01 10:30:00 UTC</title>');
    expect(svg).toContain('<title>mitigated at 2026-03-01 10:20:00 UTC: Mitigated</title>');
  });
});

/** WCAG contrast ratio of two #rrggbb colours. */
function contrast(a: string, b: string): number {
  const luminance = (hex: string) => {
    const [r, g, bl] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}
