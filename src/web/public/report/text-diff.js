// Line differences for people: between two report versions (as plain text) and between two
// people's texts of one field in a conflict.

import { lineDiff } from '../diff.js';
import { h } from '../dom.js';

/** @typedef {import('../api-types').Report} Report */

/**
 * A report version as plain text, for diffs.
 * @param {Report} r
 */
export function reportText(r) {
  const lines = [`# ${r.summary.title}`, `Status: ${r.status}, version ${r.version}`, ''];
  for (const s of r.sections) {
    lines.push(`## ${s.title} [${s.status}]`);
    if (s.text) lines.push(...s.text.split('\n'));
    else if (s.machineText) lines.push(`(drafted) ${s.machineText}`);
    else lines.push('(empty)');
    lines.push('');
  }
  lines.push('## Action items');
  for (const ai of r.actionItems ?? []) lines.push(`- [${ai.status}] ${ai.title} · owner ${ai.owner ?? 'none'} · due ${ai.dueDate ?? 'none'}${ai.trackerUrl ? ` · ${ai.trackerUrl}` : ''}`);
  if (r.preventionNoneNeeded?.text) lines.push(`No action items needed: ${r.preventionNoneNeeded.text}`);
  lines.push('', '## Customer summary', ...(r.customerSummary?.text ?? '(empty)').split('\n'), '');
  lines.push('## Times');
  lines.push(`Impact started: ${r.impactWindow?.startedAt?.at ?? '-'} (${r.impactWindow?.startedAt?.origin ?? ''})`);
  lines.push(`Impact ended: ${r.impactWindow?.endedAt?.at ?? '-'} (${r.impactWindow?.endedAt?.origin ?? ''})`);
  lines.push(`Mitigated: ${r.mitigatedAt?.at ?? '-'}`);
  return lines.join('\n');
}

/**
 * A line diff as a list; removed and added lines are marked with text as well as colour.
 * @param {string | undefined} before @param {string | undefined} after @param {string} beforeName @param {string} afterName
 */
export function diffView(before, after, beforeName, afterName) {
  const ops = lineDiff(before ?? '', after ?? '');
  const changed = ops.filter((o) => o.op !== ' ').length;
  return h('div', { class: 'diff' },
    h('p', { class: 'small muted', text: changed === 0 ? 'No differences.' : `− lines only in ${beforeName}, + lines only in ${afterName}.` }),
    h('pre', { class: 'diff-lines' }, ops.map((o) => h(o.op === '+' ? 'ins' : o.op === '-' ? 'del' : 'span', { class: `diff-${o.op === '+' ? 'add' : o.op === '-' ? 'del' : 'same'}`, text: `${o.op === ' ' ? ' ' : o.op === '+' ? '+' : '−'} ${o.line}\n` }))));
}
