// Versions and changes: the report's versions (publishing freezes one), the line differences
// between two of them, and the change log.

import { append, field, h, replace } from '../dom.js';
import { reportStatusLabel, timeEl } from '../format.js';
import { errorBanner } from '../layout.js';
import { diffView, reportText } from './text-diff.js';

/** @typedef {import('../api-types').ReportVersion} ReportVersion */
/** @typedef {import('../api-types').ReportAuditEntry} ReportAuditEntry */
/** @typedef {import('./report-api.js').ReportApi} ReportApi */

/**
 * The panel in `slot`; returns its redraw. Redraws are numbered and only the newest one
 * draws, so a slow answer never overwrites a newer one.
 * @param {HTMLElement} slot @param {ReportApi} api @returns {() => Promise<void>}
 */
export function historyPanel(slot, api) {
  let latest = 0;
  const heading = () => h('h2', { text: 'Versions and changes', attrs: { id: 'history-h' } });
  return async () => {
    const run = ++latest;
    try {
      const [versions, audit] = await Promise.all([api.versions(), api.audit()]);
      // A newer redraw started meanwhile: it draws.
      if (run !== latest) return;
      const items = versions.items;
      const compare = versionCompare(items, api);
      replace(slot, heading());
      append(slot,
        h('ul', { class: 'versions' }, items.map((v) => h('li', {}, versionLabel(v), v.publishedAt ? [' · ', timeEl(v.publishedAt)] : null))),
        items.length < 2 ? h('p', { class: 'muted small', text: 'Publishing freezes a version; the next change starts a new one, and differences between versions show here.' }) : compare.form,
        compare.out,
        auditTrail(audit.items));
      if (items.length > 1) void compare.run();
    } catch (err) {
      if (run === latest) replace(slot, heading(), errorBanner(err, 'Could not load versions'));
    }
  };
}

/** @param {ReportVersion} v */
const versionLabel = (v) => `Version ${v.version}: ${reportStatusLabel(v.status)}${v.current ? ' (current)' : ''}${v.publishedBy ? ` by ${v.publishedBy}` : ''}`;

/**
 * Two version pickers (the one before the current, and the current) and where their
 * difference shows.
 * @param {ReportVersion[]} items @param {ReportApi} api
 */
function versionCompare(items, api) {
  const picker = () => h('select', {}, items.map((v) => h('option', { text: versionLabel(v), attrs: { value: String(v.version) } })));
  const a = picker();
  const b = picker();
  a.value = String(items[Math.max(0, items.length - 2)]?.version ?? 1);
  b.value = String(items[items.length - 1]?.version ?? 1);
  const out = h('div', { class: 'diff-out' });
  const run = async () => {
    try {
      const [va, vb] = await Promise.all([api.version(a.value), api.version(b.value)]);
      replace(out, diffView(reportText(va), reportText(vb), `version ${a.value}`, `version ${b.value}`));
    } catch (err) {
      replace(out, errorBanner(err, 'Could not compare'));
    }
  };
  const form = h('form', { class: 'compare', on: { submit: (ev) => { ev.preventDefault(); void run(); } } },
    field('Compare', a), field('with', b), h('button', { class: 'button', text: 'Show differences', attrs: { type: 'submit' } }));
  return { form, out, run };
}

/** The change log, newest first. @param {ReportAuditEntry[]} entries */
function auditTrail(entries) {
  return h('details', { class: 'audit-trail' }, h('summary', { text: `Change log (${entries.length})` }),
    h('ol', { class: 'audit' }, entries.slice().reverse().map((e) => h('li', {},
      h('div', { class: 'tl-meta' }, timeEl(e.at), ' ', h('strong', { text: e.actor }), ' ', h('code', { text: e.action }), ` · v${e.version}`),
      e.changes.length ? h('p', { class: 'small muted', text: e.changes.map((c) => c.path).join(', ') }) : null))));
}
