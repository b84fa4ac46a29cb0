import type { IncidentDetail } from '../../src/domain/incident';
import { buildReport } from '../../src/domain/incident-report';
import { composeReport } from '../../src/domain/report/compose-report';
import { renderReportMarkdown } from '../../src/domain/report/report-to-markdown';
import { emptyStoredReport, type ActionItem, type ReportView, type StoredReport } from '../../src/domain/report/report-model';
import { applyReportPatch, type ReportPatch } from '../../src/domain/report/report-patch';
import { timelineEntryId } from '../../src/domain/report/timeline-entry-id';
import { deepFreeze } from '../support/domain-builders';
import { alert, event, incidentDetail, SERVICE_LABELS } from '../support/report-fixtures';

const NOW = '2026-03-01T12:00:00.000Z';
const POSTMORTEM = { required: true, reason: 'test', policy: { required: true, reason: 'test' }, requested: null, waived: null };

function compose(detail: IncidentDetail, stored: StoredReport = emptyStoredReport(detail.incident.id), actionItems: ActionItem[] = []): ReportView {
  return composeReport({ draft: buildReport(detail, { serviceLabels: SERVICE_LABELS }, NOW), stored, actionItems, postmortem: POSTMORTEM, generatedAt: NOW });
}

function patched(detail: IncidentDetail, patch: ReportPatch, stored = emptyStoredReport(detail.incident.id), actor = 'alice'): StoredReport {
  const machineEntryIds = new Set(buildReport(detail, { serviceLabels: SERVICE_LABELS }, NOW).timeline.map(timelineEntryId));
  let n = 0;
  const { content } = applyReportPatch(stored.content, patch, { actor, now: NOW, machineEntryIds, newId: () => `id-${++n}` });
  return { ...stored, content, revision: stored.revision + 1 };
}

const a1 = alert({ id: 'a1', labels: { alertname: 'HighErrorRate', service: 'checkout', severity: 'critical' }, startsAt: '2026-03-01T10:00:00.000Z' });
const a2 = alert({ id: 'a2', labels: { alertname: 'Latency', service: 'payments', severity: 'warning' }, startsAt: '2026-03-01T10:05:00.000Z', endsAt: '2026-03-01T10:30:00.000Z' });

describe('composeReport', () => {
  it('when nobody wrote anything, then summary and timeline are machine-drafted and the rest needs a person', () => {
    const view = compose(incidentDetail([a1]));
    expect(view.sections.map((s) => [s.id, s.status])).toEqual([
      ['summary', 'machine-drafted'], ['timeline', 'machine-drafted'], ['what-happened', 'needs-human'], ['fix', 'needs-human'], ['prevention', 'needs-human'],
    ]);
    expect(view.sections[0]!.machineText).toContain('HighErrorRate on checkout');
    expect(view.customerSummary).toEqual({ text: null, status: 'needs-human', by: null, at: null });
    expect(view.impactWindow.startedAt).toMatchObject({ at: '2026-03-01T10:00:00.000Z', origin: 'machine-drafted' });
    expect(view.mitigatedAt).toMatchObject({ at: null, origin: 'machine-drafted' });
    expect(view).toMatchObject({ version: 1, status: 'draft', etag: '"v1.r0"' });
  });

  it('when the incident grows after a person wrote the summary, then the facts refresh and the written text stays', () => {
    const stored = patched(incidentDetail([a1]), { sections: { summary: 'Checkout was **down**.' } });
    const before = compose(incidentDetail([a1]), stored);
    const after = compose(incidentDetail([a1, a2]), stored);
    expect(before.summary.alertCount).toBe(1);
    expect(after.summary.alertCount).toBe(2);
    expect(after.summary.affectedServices).toEqual(['checkout', 'payments']);
    expect(after.sections[0]).toMatchObject({ status: 'human-completed', text: 'Checkout was **down**.', completedBy: 'alice' });
    expect(after.sections[0]!.machineText).not.toBe(before.sections[0]!.machineText);
  });

  it('when a person corrects, hides and adds timeline entries, then each entry says where it came from', () => {
    const detail = incidentDetail([a1, a2], [event('pagerduty.acknowledged', '2026-03-01T10:02:00.000Z', 'Acknowledged', 'inc-1', 'Jane')]);
    const ids = compose(detail).timeline.map((e) => e.id);
    expect(ids).toEqual(['alert:a1:fired', expect.stringMatching(/^event:/), 'alert:a2:fired', 'alert:a2:resolved']);
    const stored = patched(detail, {
      timeline: {
        add: [{ at: '2026-03-01T09:55:00.000Z', text: 'Deploy of *v42* started' }],
        entries: {
          'alert:a1:fired': { text: 'Error rate alert fired (page went to the wrong team)' },
          'alert:a2:resolved': { hiddenReason: 'flapped; not a real recovery' },
        },
      },
    });
    const view = compose(detail, stored);
    expect(view.timeline.map((e) => [e.id, e.origin, e.textFormat])).toEqual([
      ['human:id-1', 'human-completed', 'markdown'],
      ['alert:a1:fired', 'human-completed', 'markdown'],
      [ids[1], 'machine-drafted', 'plain'],
      ['alert:a2:fired', 'machine-drafted', 'plain'],
    ]);
    expect(view.timeline[1]!.machine).toEqual({ at: '2026-03-01T10:00:00.000Z', text: expect.stringContaining('HighErrorRate fired') });
    expect(view.hiddenTimeline).toEqual([expect.objectContaining({ id: 'alert:a2:resolved', hidden: { reason: 'flapped; not a real recovery', by: 'alice', at: NOW } })]);
  });

  it('when a person sets impact start, end and mitigation, then those times win and show who set them', () => {
    const detail = incidentDetail([a2]);
    const stored = patched(detail, { impactStartedAt: '2026-03-01T09:50:00.000Z', mitigatedAt: '2026-03-01T10:20:00.000Z' });
    const view = compose(detail, stored);
    expect(view.impactWindow.startedAt).toEqual({ at: '2026-03-01T09:50:00.000Z', origin: 'human-completed', machineAt: '2026-03-01T10:05:00.000Z', machineNote: null, setBy: 'alice', setAt: NOW });
    expect(view.impactWindow.endedAt).toMatchObject({ at: '2026-03-01T10:30:00.000Z', origin: 'machine-drafted' });
    expect(view.mitigatedAt).toMatchObject({ at: '2026-03-01T10:20:00.000Z', origin: 'human-completed' });
  });

  it('when prevention has only action items or only a "none needed" reason, then it counts as human-completed', () => {
    const detail = incidentDetail([a1]);
    const item: ActionItem = {
      id: 'ai-1', incidentId: 'inc-1', title: 'Add canary', owner: 'bob', dueDate: '2026-04-01', status: 'open', trackerUrl: null,
      createdAt: NOW, createdBy: 'bob', updatedAt: NOW, updatedBy: 'bob',
    };
    expect(compose(detail, undefined, [item]).sections[4]!.status).toBe('human-completed');
    expect(compose(detail, patched(detail, { preventionNoneNeeded: 'hardware fault, replaced' })).sections[4]).toMatchObject({ status: 'human-completed', completedBy: 'alice' });
  });

  it('when composing, then neither the draft nor the stored report is mutated', () => {
    const detail = deepFreeze(incidentDetail([a1, a2]));
    const stored = deepFreeze(patched(detail, { sections: { fix: 'Rolled back' }, timeline: { entries: { 'alert:a1:fired': { hiddenReason: 'noise' } } } }));
    expect(() => compose(detail, stored)).not.toThrow();
  });
});

describe('renderReportMarkdown of a completed report', () => {
  it('when people wrote Markdown and alerts carry markup, then the human Markdown is kept and alert text is escaped', () => {
    const hostile = alert({ id: 'h1', labels: { alertname: '<script>x</script>', service: 'checkout' }, annotations: { summary: '[x](javascript:alert(1))' }, startsAt: '2026-03-01T10:00:00.000Z' });
    const detail = incidentDetail([hostile]);
    const stored = patched(detail, {
      sections: { 'what-happened': 'A **bad** config:\n\n- item one\n- item two', fix: 'Rolled back' },
      customerSummary: 'Checkout was _slow_ for 20 minutes.',
      timeline: { add: [{ at: '2026-03-01T10:01:00.000Z', text: 'Paged | ops\nsecond line' }] },
    });
    const md = renderReportMarkdown(compose(detail, stored));
    expect(md).toContain('A **bad** config:\n\n- item one\n- item two');
    expect(md).toContain('Checkout was _slow_ for 20 minutes.');
    expect(md).toContain('Rolled back');
    expect(md).not.toContain('<script>');
    expect(md).toContain('&lt;script&gt;');
    expect(md).not.toMatch(/(?<!\\)\]\(javascript:/);
    // A human timeline entry stays in one table row, its pipe escaped.
    expect(md).toContain('| 2026-03-01T10:01:00.000Z | Paged \\| ops<br>second line (alice) | human |');
  });

  it('when an entry is hidden, then the Markdown leaves it out', () => {
    const detail = incidentDetail([a2]);
    const md = renderReportMarkdown(compose(detail, patched(detail, { timeline: { entries: { 'alert:a2:resolved': { hiddenReason: 'noise' } } } })));
    expect(md).toContain('Latency fired');
    expect(md).not.toContain('Latency resolved');
  });
});
