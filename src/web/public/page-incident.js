// Incident page: header facts with response times, the timeline picture and list (machine
// and human entries interleaved; human entries editable by editors), the impact list, and the
// alerts grouped by service, each with the correlation decision that placed it here.

import { ApiError, getJson, incidentIdFromPath, request, seg } from './api.js';
import { append, clear, field, h, link, replace } from './dom.js';
import {
  badge, clockTime, formatDuration, fromLocalInput, incidentDuration, plural, reportStatusLabel, timeEl, toLocalInput,
} from './format.js';
import { allowed, announce, confirmChange, errorBanner, mainEl, mountHeader, openDialog } from './layout.js';
import { renderMarkdown } from './markdown.js';

/** @param {{ name: string, role: string }} user */
export async function render(user) {
  const id = /** @type {string} */ (incidentIdFromPath());
  const base = `/api/v1/incidents/${seg(id)}`;
  const [detail, reportRes, exportDoc, svg] = await Promise.all([
    getJson(base),
    request(`${base}/report`),
    getJson(`${base}/report.json`).catch(() => null),
    request(`${base}/timeline.svg`, { as: 'text' }).then((res) => res.data).catch(() => null),
  ]);
  let report = reportRes.data;
  let etag = /** @type {string} */ (reportRes.etag ?? report.etag);
  const canEdit = allowed(user, 'editor');
  const pageUrl = `/ui/incidents/${seg(id)}`;
  mountHeader(user, [{ href: pageUrl, text: 'Incident', current: true }]);

  const live = h('p', { class: 'muted small live-status', attrs: { id: 'live-status' } });
  const main = mainEl();
  let measures = exportDoc?.measures ?? null;
  let current = detail;

  // ---- header (redrawn by the refresh)
  const headSlot = h('div');
  main.appendChild(headSlot);
  drawHead();

  function drawHead() {
    const incident = current;
    const facts = h('dl', { class: 'facts' },
      fact('Started', timeEl(incident.startedAt)),
      fact('Ended', incident.endedAt ? timeEl(incident.endedAt) : h('span', { text: 'ongoing' })),
      fact('Duration', formatDuration(incidentDuration(incident))),
      fact('Alerts', String(incident.alertCount)),
      fact('Services', incident.services.join(', ') || '—'),
      fact('Report', h('span', {}, badge(report.status, reportStatusLabel(report.status)), ' ', h('a', { text: `version ${report.version}`, attrs: { href: `${pageUrl}/report` } }))),
      fact('Time to detect', measureText(measures?.timeToDetectMs), 'MTTD: impact start to first alert'),
      fact('Time to acknowledge', measureText(measures?.timeToAcknowledgeMs), 'MTTA: first alert to first page acknowledgement'),
      fact('Time to mitigate', measureText(measures?.timeToMitigateMs), 'MTTM: impact start to mitigation (set in the report)'),
      fact('Time to resolve', measureText(measures?.timeToResolveMs), 'MTTR: impact start to resolution'));
    const actions = h('div', { class: 'actions no-print' },
      h('a', { class: 'button button-primary', text: canEdit ? 'Edit report' : 'Read report', attrs: { href: `${pageUrl}/report` } }),
      canEdit ? h('a', { class: 'button', text: 'Review correlation', attrs: { href: `${pageUrl}/review` } }) : null,
      h('button', { class: 'button', text: 'Download report (HTML)', attrs: { type: 'button' }, on: { click: () => download(`${base}/report.html?download=1`, `postmortem-${id}.html`) } }));
    replace(headSlot,
      h('div', { class: 'page-head' },
        h('h1', { text: incident.title }),
        h('p', { class: 'head-badges' }, badge(incident.status, incident.status), ' ', incident.severity ? badge(`sev-${incident.severity}`, incident.severity) : null,
          incident.mergedInto ? h('span', {}, ' merged into ', h('a', { text: incident.mergedInto, attrs: { href: `/ui/incidents/${seg(incident.mergedInto)}` } })) : null),
        live),
      facts, actions);
  }

  // ---- timeline
  const pictureSlot = h('div', {}, svg ? timelinePicture(svg) : null);
  const timelineSection = h('section', { class: 'card', attrs: { 'aria-labelledby': 'timeline-h' } }, h('h2', { text: 'Timeline', attrs: { id: 'timeline-h' } }), pictureSlot);
  const timelineMsg = h('div');
  const timelineList = h('ol', { class: 'timeline' });
  const hiddenSlot = h('div');
  append(timelineSection, timelineMsg, timelineList, hiddenSlot);
  if (canEdit) timelineSection.appendChild(addNoteForm());
  main.appendChild(timelineSection);
  drawTimeline();

  // ---- impact
  const impactSlot = h('div', {}, impactCard(detail));
  main.appendChild(impactSlot);

  // ---- alerts by service
  const alertsSlot = h('div', {}, alertsSection(detail));
  main.appendChild(alertsSlot);

  // ---- live refresh, like the list: every few seconds while the tab is visible, skipped
  // while the user has an edit open (a correction form, a note being typed, a dialog).
  let lastKey = JSON.stringify([detail, report.etag, svg]);
  const editing = () => !!main.querySelector('.tl-edit') || !!document.querySelector('dialog[open]')
    || [...main.querySelectorAll('details.add-note textarea')].some((textarea) => /** @type {HTMLTextAreaElement} */ (textarea).value.trim() !== '');
  const schedule = () => { window.setTimeout(() => void refresh(), POLL_MS); };
  async function refresh() {
    if (document.hidden) { schedule(); return; }
    if (editing()) {
      live.textContent = 'Live: paused while you edit';
      schedule();
      return;
    }
    try {
      const [freshDetail, freshReport, doc, picture] = await Promise.all([
        getJson(base), request(`${base}/report`), getJson(`${base}/report.json`).catch(() => null),
        request(`${base}/timeline.svg`, { as: 'text' }).then((res) => res.data).catch(() => null),
      ]);
      // Someone may have opened an edit while the requests ran: keep it, try next time.
      if (!editing()) {
        const key = JSON.stringify([freshDetail, freshReport.data.etag, picture]);
        if (key !== lastKey) {
          lastKey = key;
          current = freshDetail;
          report = freshReport.data;
          etag = freshReport.etag ?? report.etag;
          measures = doc?.measures ?? null;
          drawHead();
          drawTimeline();
          if (picture) replace(pictureSlot, timelinePicture(picture));
          replace(impactSlot, impactCard(freshDetail));
          replace(alertsSlot, alertsSection(freshDetail));
        }
        live.textContent = `Live: checked at ${clockTime(new Date())}`;
      }
    } catch {
      live.textContent = `Live: could not refresh at ${clockTime(new Date())}; retrying`;
    }
    schedule();
  }
  schedule();

  /** Saves a timeline change with the report's ETag; a stale ETag reloads and says so. @param {any} timeline */
  async function patchTimeline(timeline) {
    try {
      const res = await request(`${base}/report`, { method: 'PATCH', body: { timeline }, ifMatch: etag });
      report = res.data;
      etag = res.etag ?? report.etag;
      replace(timelineMsg);
      drawTimeline();
      // The picture marks human entries too: redraw it.
      void request(`${base}/timeline.svg`, { as: 'text' }).then((svgRes) => replace(pictureSlot, timelinePicture(svgRes.data))).catch(() => {});
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.status === 409 && err.body?.current) {
        report = err.body.current.report;
        etag = err.body.current.etag;
        drawTimeline();
        replace(timelineMsg, h('div', { class: 'banner banner-warn', attrs: { role: 'alert' } },
          `The report changed meanwhile${report.updatedBy ? ` (by ${report.updatedBy})` : ''}; the timeline below is current. Your change was not saved: please make it again.`));
      } else {
        replace(timelineMsg, errorBanner(err, 'Could not save the timeline'));
      }
      return false;
    }
  }

  function drawTimeline() {
    clear(timelineList);
    for (const entry of report.timeline) timelineList.appendChild(timelineItem(entry));
    if (report.timeline.length === 0) timelineList.appendChild(h('li', { class: 'muted', text: 'No entries.' }));
    // Hidden machine entries, with why: only editors see them (they are left out of the report).
    const hidden = canEdit ? (report.hiddenTimeline ?? []) : [];
    replace(hiddenSlot, hidden.length ? h('details', { class: 'hidden-entries no-print' },
      h('summary', { text: `Hidden entries (${hidden.length})` }),
      h('ul', {}, hidden.map((/** @type {any} */ entry) => h('li', { class: 'tl-hidden', dataset: { entryId: entry.id } },
        timeEl(entry.at), ' ', h('span', { text: entry.text }),
        h('span', { class: 'muted small', text: ` · hidden by ${entry.hidden?.by ?? '?'}: ${entry.hidden?.reason ?? ''}` }), ' ',
        h('button', {
          class: 'button-quiet', text: 'Show again', attrs: { type: 'button', 'aria-label': `Show again the entry at ${entry.at}` },
          on: { click: async () => { if (await patchTimeline({ entries: { [entry.id]: { hiddenReason: null } } })) announce('Entry shown again'); } },
        }))))) : null);
  }

  /** @param {any} entry */
  function timelineItem(entry) {
    const human = entry.origin === 'human-completed' && String(entry.id).startsWith('human:');
    const body = h('div', { class: 'tl-text' });
    if (entry.textFormat === 'markdown') body.appendChild(renderMarkdown(entry.text)); else body.textContent = entry.text;
    const li = h('li', { class: ['tl-entry', human ? 'tl-human' : 'tl-machine'], dataset: { entryId: entry.id } },
      h('div', { class: 'tl-meta' }, timeEl(entry.at), ' ', badge(`src-${entry.source}`, human ? 'human note' : entry.source), ' ',
        h('span', { class: 'muted small', text: entry.kind }),
        entry.actor ? h('span', { class: 'muted small', text: ` · ${entry.actor}` }) : null,
        entry.editedBy && !human ? h('span', { class: 'muted small', text: ` · corrected by ${entry.editedBy}` }) : null),
      body);
    if (canEdit && human) {
      li.appendChild(h('div', { class: 'tl-actions no-print' },
        h('button', { class: 'button-quiet', text: 'Edit', attrs: { type: 'button', 'aria-label': `Edit note at ${entry.at}` }, on: { click: () => editEntry(li, entry, 'human') } }),
        h('button', {
          class: 'button-quiet danger', text: 'Delete', attrs: { type: 'button', 'aria-label': `Delete note at ${entry.at}` },
          on: {
            click: async () => {
              const ok = await confirmChange({ title: 'Delete this timeline note?', summary: h('blockquote', { text: entry.text }), confirmLabel: 'Delete note', danger: true });
              if (ok && await patchTimeline({ entries: { [entry.id]: null } })) announce('Timeline note deleted');
            },
          },
        })));
    }
    if (canEdit && !human) {
      li.appendChild(h('div', { class: 'tl-actions no-print' },
        h('button', { class: 'button-quiet', text: 'Correct', attrs: { type: 'button', 'aria-label': `Correct entry at ${entry.at}` }, on: { click: () => editEntry(li, entry, 'machine') } }),
        h('button', { class: 'button-quiet', text: 'Hide', attrs: { type: 'button', 'aria-label': `Hide entry at ${entry.at}` }, on: { click: () => void hideEntry(entry) } }),
        entry.editedBy ? h('button', {
          class: 'button-quiet', text: 'Undo correction', attrs: { type: 'button', 'aria-label': `Undo the correction of the entry at ${entry.at}` },
          on: { click: async () => { if (await patchTimeline({ entries: { [entry.id]: null } })) announce('Correction undone'); } },
        }) : null));
    }
    return li;
  }

  /** Hides a machine entry from the report, with a reason. @param {any} entry */
  async function hideEntry(entry) {
    const reason = await openDialog({
      title: 'Hide this timeline entry?',
      build: (body, close) => {
        const input = /** @type {HTMLInputElement} */ (h('input', { attrs: { type: 'text', required: true, maxlength: '1000' } }));
        append(body,
          h('blockquote', { text: entry.text }),
          h('p', { class: 'small', text: 'It is left out of the report and its exports; editors still see it here with your reason.' }),
          h('form', {
            on: {
              submit: (/** @type {Event} */ ev) => {
                ev.preventDefault();
                if (input.value.trim()) close(input.value.trim()); else input.focus();
              },
            },
          }, field('Reason', input),
          h('div', { class: 'actions' },
            h('button', { class: 'button button-primary', text: 'Hide entry', attrs: { type: 'submit' } }),
            h('button', { class: 'button', text: 'Cancel', attrs: { type: 'button' }, on: { click: () => close(null) } }))));
        queueMicrotask(() => input.focus());
      },
    });
    if (typeof reason === 'string' && await patchTimeline({ entries: { [entry.id]: { hiddenReason: reason } } })) announce('Timeline entry hidden');
  }

  /**
   * Edits a timeline entry in place: a human note, or a correction of a machine entry. Only what
   * changed is sent (PATCH merge semantics), so a correction never freezes the other field.
   * @param {HTMLElement} li @param {any} entry @param {'human' | 'machine'} origin
   */
  function editEntry(li, entry, origin) {
    const machine = origin === 'machine';
    const at = /** @type {HTMLInputElement} */ (h('input', { attrs: { type: 'datetime-local', required: true }, props: { value: toLocalInput(entry.at) } }));
    const text = /** @type {HTMLTextAreaElement} */ (h('textarea', { attrs: { rows: machine ? '2' : '3', required: true }, props: { value: entry.text } }));
    const form = h('form', {
      class: 'tl-edit',
      on: {
        submit: async (/** @type {Event} */ ev) => {
          ev.preventDefault();
          const iso = fromLocalInput(at.value);
          if (!iso || !text.value.trim()) return;
          /** @type {Record<string, string>} */
          const change = {};
          if (at.value !== toLocalInput(entry.at)) change.at = iso;
          if (text.value !== entry.text) change.text = text.value;
          if (Object.keys(change).length === 0) { drawTimeline(); return; }
          if (await patchTimeline({ entries: { [entry.id]: change } })) announce(machine ? 'Timeline entry corrected' : 'Timeline note saved');
        },
      },
    },
    field('Time', at), field(machine ? 'Text (Markdown)' : 'Note (Markdown)', text),
    h('div', { class: 'actions' },
      h('button', { class: 'button button-primary', text: machine ? 'Save correction' : 'Save note', attrs: { type: 'submit' } }),
      h('button', { class: 'button', text: 'Cancel', attrs: { type: 'button' }, on: { click: () => drawTimeline() } })));
    li.replaceWith(h('li', { class: `tl-entry ${machine ? 'tl-machine' : 'tl-human'}` }, form));
    text.focus();
  }

  function addNoteForm() {
    const at = /** @type {HTMLInputElement} */ (h('input', { attrs: { type: 'datetime-local', required: true }, props: { value: toLocalInput(new Date().toISOString()) } }));
    const text = /** @type {HTMLTextAreaElement} */ (h('textarea', { attrs: { rows: '2', required: true, placeholder: 'e.g. Rolled back release 2024.11.3' } }));
    return h('details', { class: 'add-note no-print' },
      h('summary', { text: 'Add a timeline note' }),
      h('form', {
        on: {
          submit: async (/** @type {Event} */ ev) => {
            ev.preventDefault();
            const iso = fromLocalInput(at.value);
            if (!iso || !text.value.trim()) { text.focus(); return; }
            if (await patchTimeline({ add: [{ at: iso, text: text.value }] })) {
              text.value = '';
              announce('Timeline note added');
            }
          },
        },
      }, field('Time', at), field('Note (Markdown)', text),
      h('div', { class: 'actions' }, h('button', { class: 'button button-primary', text: 'Add note', attrs: { type: 'submit' } }))));
  }
}

/** How often the page checks for changes (as the incident list does). */
const POLL_MS = 4000;

/** @param {any} detail */
const impactCard = (detail) => h('section', { class: 'card', attrs: { 'aria-labelledby': 'impact-h' } },
  h('h2', { text: 'Impact', attrs: { id: 'impact-h' } }), impactTable(detail.impact));

/** @param {string} term @param {any} value @param {string} [title] */
function fact(term, value, title) {
  return h('div', { class: 'fact' }, h('dt', { text: term, attrs: title ? { title } : {} }), h('dd', {}, value));
}

/** @param {number | null | undefined} ms */
const measureText = (ms) => (ms === null || ms === undefined ? h('span', { class: 'muted', text: 'not yet' }) : formatDuration(ms));

/**
 * The SVG is drawn by the server from incident data; it is shown as an image (data: URL), where
 * a browser runs no script and loads nothing, whatever the picture contains.
 * @param {string} svg
 */
function timelinePicture(svg) {
  const bytes = new TextEncoder().encode(svg);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  const label = /aria-label="([^"]*)"/.exec(svg)?.[1]?.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&') ?? 'Timeline picture';
  return h('figure', { class: 'timeline-picture' },
    h('div', { class: 'picture-scroll', attrs: { tabindex: '0', role: 'region', 'aria-label': 'Timeline picture (scrolls sideways)' } },
      // A data: URL built here from the fetched bytes (the href guard in dom.js refuses data: on purpose).
      h('img', { attrs: { alt: label }, props: { src: `data:image/svg+xml;base64,${btoa(bin)}` } })),
    h('figcaption', { class: 'muted small', text: 'A lane per affected service; bars are alert firing spans, markers are pages, acknowledgements, mitigation, resolution and notes.' }));
}

/** @param {any[]} impact */
function impactTable(impact) {
  if (!impact.length) return h('p', { class: 'muted', text: 'No affected services recorded.' });
  return h('div', { class: 'table-wrap', attrs: { tabindex: '0', role: 'region', 'aria-label': 'Impact table' } },
    h('table', { class: 'data' },
      h('caption', { class: 'visually-hidden', text: 'Affected services' }),
      h('thead', {}, h('tr', {}, ['Service', 'Severity', 'Where', 'First seen', 'Last seen', 'Duration', 'Alerts', 'Customer-facing'].map((title) => h('th', { text: title, attrs: { scope: 'col' } })))),
      h('tbody', {}, impact.map((item) => h('tr', {},
        h('th', { text: item.service, attrs: { scope: 'row' } }),
        h('td', {}, item.severity ? badge(`sev-${item.severity}`, item.severity) : '—'),
        h('td', { text: [...item.clusters, ...item.namespaces, ...(item.regions ?? [])].join(', ') || '—' }),
        h('td', {}, timeEl(item.firstSeenAt)),
        h('td', {}, timeEl(item.lastSeenAt)),
        h('td', {}, formatDuration(item.durationMs), item.ongoing ? ' (ongoing)' : ''),
        h('td', { class: 'num', text: String(item.alertCount) }),
        h('td', { text: item.customerFacing === null ? 'unknown' : item.customerFacing ? 'yes' : 'no' }))))));
}

/**
 * The service an alert belongs to, as the impact list names it: the first of the incident's
 * services that is one of the alert's label values.
 * @param {any} alert @param {string[]} services
 */
export function serviceOfAlert(alert, services) {
  const values = new Set(Object.values(alert.labels ?? {}));
  return services.find((service) => values.has(service)) ?? 'other';
}

/** @param {any} detail */
function alertsSection(detail) {
  /** @type {Map<string, any[]>} */
  const groups = new Map();
  for (const alert of detail.alerts) {
    const service = serviceOfAlert(alert, detail.services);
    if (!groups.has(service)) groups.set(service, []);
    /** @type {any[]} */ (groups.get(service)).push(alert);
  }
  return h('section', { class: 'card', attrs: { 'aria-labelledby': 'alerts-h' } },
    h('h2', { text: `Alerts (${detail.alerts.length})`, attrs: { id: 'alerts-h' } }),
    [...groups.entries()].map(([service, alerts]) => h('div', { class: 'alert-group' },
      h('h3', { text: `${service} · ${plural(alerts.length, 'alert')}` }),
      h('ul', { class: 'alert-list' }, alerts.map((alert) => h('li', {}, alertCard(alert)))))));
}

/** One alert with its labels, annotations and why it is in this incident. @param {any} alert */
export function alertCard(alert) {
  const labels = Object.entries(alert.labels ?? {});
  const annotations = Object.entries(alert.annotations ?? {});
  const decision = alert.decision;
  return h('article', { class: 'alert-card', dataset: { alertId: alert.id } },
    h('h4', {}, h('span', { text: alert.labels?.alertname ?? alert.fingerprint }), ' ', badge(alert.status, alert.status)),
    h('p', { class: 'small' }, 'From ', timeEl(alert.startsAt), ' to ', alert.endsAt ? timeEl(alert.endsAt) : h('span', { text: 'now (firing)' }),
      ` · ${alert.source} (${alert.instance}) · ${plural(alert.notificationCount, 'notification')}`,
      alert.generatorUrl ? [' · ', link(alert.generatorUrl, 'source graph')] : null),
    labels.length ? h('ul', { class: 'labels', attrs: { 'aria-label': 'Labels' } }, labels.map(([name, value]) => h('li', { class: 'label' }, h('span', { class: 'label-k', text: name }), '=', h('span', { class: 'label-v', text: value })))) : null,
    annotations.length ? h('dl', { class: 'annotations' }, annotations.map(([name, value]) => [h('dt', { text: name }), h('dd', {}, /^https?:\/\//i.test(value) ? link(value, value) : value)])) : null,
    h('div', { class: ['decision', decision.kind === 'human' ? 'decision-human' : null] },
      h('p', { class: 'decision-head' },
        h('strong', { text: decision.kind === 'human' ? `Placed by ${decision.decidedBy}` : decision.kind === 'rule' ? `Joined by rule ${decision.rule ?? ''}` : 'Opened this incident' }),
        ' ', h('span', { class: 'muted small' }, timeEl(decision.decidedAt)),
        decision.gapMs !== null && decision.gapMs !== undefined ? h('span', { class: 'muted small', text: ` · gap ${formatDuration(decision.gapMs)}` }) : null),
      h('p', { class: 'decision-text', text: decision.explanation })));
}

/**
 * Fetches a file with the token and saves it (a plain link would carry no Authorization).
 * @param {string} path @param {string} filename
 */
async function download(path, filename) {
  try {
    const res = await request(path, { as: 'blob' });
    const url = URL.createObjectURL(/** @type {Blob} */ (res.data));
    const anchor = h('a', { props: { href: url, download: filename } });
    document.body.appendChild(anchor);
    anchor.click();
    anchor.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  } catch (err) {
    document.getElementById('main')?.prepend(errorBanner(err, 'Download failed'));
  }
}
export { download };
