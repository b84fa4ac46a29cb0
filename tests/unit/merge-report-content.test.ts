import { mergedHeading, mergeReportContent } from '../../src/domain/report/merge-report-content';
import { emptyContent, type ReportContent } from '../../src/domain/report/report-model';

const at = '2026-05-10T09:00:00.000Z';
const ctx = { sourceIncidentId: 'inc-b', sourceTitle: 'Disk *full* <b>', actor: 'alice', now: at, target: { startedAt: '2026-05-10T08:00:00.000Z', endedAt: '2026-05-10T08:30:00.000Z' } };
const human = (text: string, by = 'bob') => ({ text, by, at: '2026-05-10T08:40:00.000Z' });
const stamp = (time: string) => ({ time, by: 'bob', at: '2026-05-10T08:40:00.000Z' });
const content = (over: Partial<ReportContent>): ReportContent => ({ ...emptyContent(), ...over });

describe('mergeReportContent', () => {
  it('when the source has nothing written, then nothing changes and no change is recorded', () => {
    const target = content({ sections: { fix: human('Restarted.') } });
    expect(mergeReportContent(target, emptyContent(), ctx)).toEqual({ content: target, changes: [] });
  });

  it('when both have text, then the target text stays first and the source text follows under an escaped heading', () => {
    const r = mergeReportContent(content({ sections: { fix: human('Restarted.', 'carol') } }), content({ sections: { fix: human('Freed disk.') } }), ctx);
    expect(mergedHeading(ctx.sourceTitle)).toBe('#### From merged incident Disk \\*full\\* &lt;b&gt;');
    expect(r.content.sections.fix).toEqual({ text: `Restarted.\n\n${mergedHeading(ctx.sourceTitle)}\n\nFreed disk.`, by: 'alice', at });
    expect(r.changes[0]).toEqual({ path: 'mergedFrom', from: null, to: { incidentId: 'inc-b', title: ctx.sourceTitle } });
  });

  it('when the source set impact times, then they are taken only where the target has none and they widen its window', () => {
    const earlier = mergeReportContent(emptyContent(), content({ impactStartedAt: stamp('2026-05-10T07:50:00.000Z'), impactEndedAt: stamp('2026-05-10T08:10:00.000Z'), mitigatedAt: stamp('2026-05-10T08:20:00.000Z') }), ctx);
    expect(earlier.content.impactStartedAt?.time).toBe('2026-05-10T07:50:00.000Z');
    expect(earlier.content.impactEndedAt).toBeNull();
    expect(earlier.content.mitigatedAt?.time).toBe('2026-05-10T08:20:00.000Z');
    const kept = mergeReportContent(content({ impactStartedAt: stamp('2026-05-10T07:55:00.000Z') }), content({ impactStartedAt: stamp('2026-05-10T07:50:00.000Z') }), ctx);
    expect(kept.content.impactStartedAt?.time).toBe('2026-05-10T07:55:00.000Z');
    expect(kept.changes).toEqual([]);
  });
});
