import { ValidationError } from '../../src/errors';
import { emptyContent, type ReportContent } from '../../src/domain/report/report-model';
import { applyReportPatch, type PatchContext, type ReportPatch } from '../../src/domain/report/report-patch';
import { deepFreeze } from '../support/domain-builders';

const T0 = '2026-03-01T12:00:00.000Z';
const T1 = '2026-03-01T13:00:00.000Z';

function ctx(actor = 'alice', now = T0): PatchContext {
  let n = 0;
  return { actor, now, machineEntryIds: new Set(['alert:a1:fired', 'alert:a1:resolved', 'event:e1']), newId: () => `n${++n}` };
}

const apply = (content: ReportContent, patch: ReportPatch, c = ctx()) => applyReportPatch(deepFreeze(content), patch, c);

function problems(fn: () => unknown): Array<{ path: string; message: string }> {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).details;
  }
  throw new Error('expected a ValidationError');
}

describe('applyReportPatch', () => {
  it('when a field is absent, then it is unchanged; when it is null, then it is cleared', () => {
    const first = apply(emptyContent(), { sections: { fix: 'Rolled back', 'what-happened': 'Bad config' }, customerSummary: 'Slow checkout' }).content;
    const { content, changes } = apply(first, { sections: { fix: null } }, ctx('bob', T1));
    expect(content.sections).toEqual({ 'what-happened': { text: 'Bad config', by: 'alice', at: T0 } });
    expect(content.customerSummary).toEqual({ text: 'Slow checkout', by: 'alice', at: T0 });
    expect(changes).toEqual([{ path: 'sections.fix', from: 'Rolled back', to: null }]);
  });

  it('when the same text is sent again, then nothing changes and the original author stays', () => {
    const first = apply(emptyContent(), { sections: { fix: 'Rolled back' } }).content;
    const again = apply(first, { sections: { fix: 'Rolled back' } }, ctx('bob', T1));
    expect(again.changes).toEqual([]);
    expect(again.content).toBe(first);
    expect(again.content.sections.fix).toEqual({ text: 'Rolled back', by: 'alice', at: T0 });
  });

  it('when times are set, then they are kept with who set them, and the audit shows old and new values', () => {
    const { content, changes } = apply(emptyContent(), { impactStartedAt: '2026-03-01T09:00:00.000Z', mitigatedAt: '2026-03-01T10:00:00.000Z' });
    expect(content.impactStartedAt).toEqual({ time: '2026-03-01T09:00:00.000Z', by: 'alice', at: T0 });
    expect(changes).toEqual([
      { path: 'impactStartedAt', from: null, to: '2026-03-01T09:00:00.000Z' },
      { path: 'mitigatedAt', from: null, to: '2026-03-01T10:00:00.000Z' },
    ]);
  });

  it('when impact would end before it starts, then the patch is refused with the path', () => {
    expect(problems(() => apply(emptyContent(), { impactStartedAt: '2026-03-01T10:00:00.000Z', impactEndedAt: '2026-03-01T09:00:00.000Z' })))
      .toEqual([{ path: 'impactEndedAt', message: expect.stringContaining('before it started') }]);
  });

  it('when human entries are added, edited and deleted, then each step is applied and audited', () => {
    const added = apply(emptyContent(), { timeline: { add: [{ at: '2026-03-01T09:55:00.000Z', text: 'Deploy started' }] } });
    expect(added.content.timelineEntries).toEqual([{ id: 'human:n1', at: '2026-03-01T09:55:00.000Z', text: 'Deploy started', createdBy: 'alice', createdAt: T0, updatedBy: 'alice', updatedAt: T0 }]);
    const edited = apply(added.content, { timeline: { entries: { 'human:n1': { text: 'Deploy v42 started' } } } }, ctx('bob', T1));
    expect(edited.content.timelineEntries[0]).toMatchObject({ text: 'Deploy v42 started', at: '2026-03-01T09:55:00.000Z', createdBy: 'alice', updatedBy: 'bob', updatedAt: T1 });
    const deleted = apply(edited.content, { timeline: { entries: { 'human:n1': null } } });
    expect(deleted.content.timelineEntries).toEqual([]);
    expect(deleted.changes).toEqual([{ path: 'timeline.entries.human:n1', from: { at: '2026-03-01T09:55:00.000Z', text: 'Deploy v42 started' }, to: null }]);
  });

  it('when a machine entry is corrected and hidden, then null fields restore the machine value and null drops the edit', () => {
    const hidden = apply(emptyContent(), { timeline: { entries: { 'alert:a1:fired': { hiddenReason: 'duplicate page' } } } }).content;
    expect(hidden.timelineEdits).toEqual([{ entryId: 'alert:a1:fired', at: null, text: null, hiddenReason: 'duplicate page', by: 'alice', updatedAt: T0 }]);
    const retimed = apply(hidden, { timeline: { entries: { 'alert:a1:fired': { at: '2026-03-01T09:59:00.000Z' } } } }).content;
    expect(retimed.timelineEdits[0]).toMatchObject({ at: '2026-03-01T09:59:00.000Z', hiddenReason: 'duplicate page' });
    const shown = apply(retimed, { timeline: { entries: { 'alert:a1:fired': { hiddenReason: null, at: null } } } }).content;
    expect(shown.timelineEdits).toEqual([]);
    const dropped = apply(retimed, { timeline: { entries: { 'alert:a1:fired': null } } });
    expect(dropped.content.timelineEdits).toEqual([]);
    expect(dropped.changes).toHaveLength(1);
  });

  it('when several parts are wrong, then every problem is listed and nothing is applied', () => {
    const details = problems(() => apply(emptyContent(), {
      sections: { fix: 'ok' },
      timeline: {
        entries: {
          'alert:nope:fired': { text: 'x' },
          'human:missing': { text: 'x' },
        },
      },
      impactStartedAt: '2026-03-01T10:00:00.000Z',
      impactEndedAt: '2026-03-01T09:00:00.000Z',
    }));
    expect(details.map((d) => d.path).sort()).toEqual(['impactEndedAt', 'timeline.entries.alert:nope:fired', 'timeline.entries.human:missing']);
  });

  it('when a human entry is sent with a hide reason or a null text, then it is refused', () => {
    const added = apply(emptyContent(), { timeline: { add: [{ at: T0, text: 'x' }] } }).content;
    expect(problems(() => apply(added, { timeline: { entries: { 'human:n1': { hiddenReason: 'r' } } } })).map((d) => d.path)).toEqual(['timeline.entries.human:n1.hiddenReason']);
    expect(problems(() => apply(added, { timeline: { entries: { 'human:n1': { text: null } } } })).map((d) => d.path)).toEqual(['timeline.entries.human:n1']);
  });

  it('when the machine entry an edit was for has left the incident, then the edit can still be dropped', () => {
    const content: ReportContent = { ...emptyContent(), timelineEdits: [{ entryId: 'alert:gone:fired', at: null, text: 'x', hiddenReason: null, by: 'alice', updatedAt: T0 }] };
    expect(apply(content, { timeline: { entries: { 'alert:gone:fired': null } } }).content.timelineEdits).toEqual([]);
    expect(problems(() => apply(content, { timeline: { entries: { 'alert:gone:fired': { text: 'y' } } } })).map((d) => d.path)).toEqual(['timeline.entries.alert:gone:fired']);
  });
});
