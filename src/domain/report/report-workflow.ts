import type { ErrorDetail } from '../../errors';
import type { ReportStatus, ReportView, StoredReport } from './report-model';

/**
 * The report workflow: `draft -> in_review -> published`, back from review to draft, and from
 * published to draft only by starting a new version (the published one stays frozen). Pure.
 */
const ALLOWED: Record<ReportStatus, readonly ReportStatus[]> = {
  draft: ['in_review'],
  in_review: ['draft', 'published'],
  published: ['draft'],
};

/** Why `from -> to` is not allowed, or null when it is. */
export function transitionProblem(from: ReportStatus, to: ReportStatus): string | null {
  if (from === to) return `the report is already ${to}`;
  if (ALLOWED[from].includes(to)) return null;
  if (to === 'published') return 'a report is published from in_review; move it to in_review first';
  return `a ${from} report cannot move to ${to} (allowed: ${ALLOWED[from].join(', ')})`;
}

const blank = (text: string | null | undefined) => !text || text.trim() === '';

/**
 * What a draft lacks to be submitted for review: the parts only the engineers can write (the
 * cause and the fix), so a reviewer never gets an empty draft. Prevention and the customer
 * summary may still be completed in review; `publishProblems` asks for them. One detail per
 * missing part, with the field path a client sends in PATCH.
 */
export function reviewProblems(view: ReportView): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const section = (id: string) => view.sections.find((candidate) => candidate.id === id);
  if (blank(section('what-happened')?.text)) problems.push({ path: 'sections.what-happened', message: 'describe the cause (what happened)' });
  if (blank(section('fix')?.text)) problems.push({ path: 'sections.fix', message: 'describe what was done to fix it' });
  return problems;
}

/**
 * What a report lacks to be published, one detail per missing part, with the field path a
 * client sends in PATCH (or `actionItems` for action items). Empty when it can be published.
 */
export function publishProblems(view: ReportView): ErrorDetail[] {
  const problems = reviewProblems(view);
  if (view.actionItems.length === 0 && blank(view.preventionNoneNeeded.text)) {
    problems.push({ path: 'sections.prevention', message: 'add at least one action item, or set preventionNoneNeeded with the reason none are needed' });
  }
  if (blank(view.customerSummary.text)) problems.push({ path: 'customerSummary', message: 'write the summary customers and the status page will see' });
  return problems;
}

/**
 * The record that continues after a published version: version + 1, back to draft, the same
 * human parts (people edit from what was published). The caller stores the change.
 */
export function startNextVersion(published: StoredReport): StoredReport {
  return { ...published, version: published.version + 1, status: 'draft', publishedAt: null, publishedBy: null };
}
