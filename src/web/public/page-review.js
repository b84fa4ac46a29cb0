// Correlation review for SREs: split selected alerts into a new incident, move one alert to
// another incident (searchable picker), merge other incidents into this one. Every change is
// confirmed first with what will change, and its result, with the recorded explanation
// ("moved by <user>"), is shown right after.

import { getJson, incidentIdFromPath, qs, request, seg } from './api.js';
import { append, clear, field, h, replace, uid } from './dom.js';
import { badge, formatDuration, incidentDuration, plural, timeEl } from './format.js';
import { allowed, announce, confirmChange, errorBanner, mainEl, mountHeader, openDialog } from './layout.js';
import { alertCard, serviceOfAlert } from './alert-card.js';

/** @param {{ name: string, role: string }} user */
export async function render(user) {
  const id = /** @type {string} */ (incidentIdFromPath());
  const base = `/api/v1/incidents/${seg(id)}`;
  const pageUrl = `/ui/incidents/${seg(id)}`;
  mountHeader(user, [{ href: pageUrl, text: 'Incident' }, { href: `${pageUrl}/review`, text: 'Correlation review', current: true }]);
  let detail = await getJson(base);
  const main = mainEl();
  const head = h('div', { class: 'page-head' });
  const drawHead = () => replace(head,
    h('h1', {}, 'Correlation review: ', h('a', { text: detail.title, attrs: { href: pageUrl } })),
    h('p', { class: 'head-badges' }, badge(detail.status, detail.status), ` ${plural(detail.alerts.length, 'alert')} · ${detail.services.join(', ') || 'no services'}`));
  drawHead();
  main.appendChild(head);

  if (!allowed(user, 'editor')) {
    append(main, h('p', { class: 'banner banner-info', text: `Correcting correlation needs the editor role; you are signed in as ${user.role}. The correlation audit trail is below.` }));
    main.appendChild(await auditSection(base));
    return;
  }

  const resultSlot = h('div', { class: 'results', attrs: { 'aria-live': 'polite' } });
  const alertsSlot = h('div');
  const reason = /** @type {HTMLInputElement} */ (h('input', { attrs: { type: 'text', maxlength: '1000', autocomplete: 'off', placeholder: 'e.g. different root cause' } }));
  const splitButton = /** @type {HTMLButtonElement} */ (h('button', { class: 'button button-primary', text: 'Split selected into a new incident', attrs: { type: 'button', disabled: true }, on: { click: () => void split() } }));
  const selectedInfo = h('span', { class: 'muted', attrs: { 'aria-live': 'polite' } });
  const mergeButton = h('button', { class: 'button', text: 'Merge other incidents into this one…', attrs: { type: 'button' }, on: { click: () => void merge() } });
  const auditSlot = h('div');

  append(main,
    resultSlot,
    h('section', { class: 'card', attrs: { 'aria-labelledby': 'alerts-h' } },
      h('h2', { text: 'Alerts in this incident', attrs: { id: 'alerts-h' } }),
      h('p', { class: 'muted', text: 'Select alerts to split them into a new incident, or move one alert to another incident. Rules never undo a person\'s correction.' }),
      alertsSlot,
      h('div', { class: 'toolbar' }, field('Reason (recorded in the timeline)', reason), h('div', { class: 'actions' }, splitButton, selectedInfo))),
    h('section', { class: 'card', attrs: { 'aria-labelledby': 'merge-h' } },
      h('h2', { text: 'Merge', attrs: { id: 'merge-h' } }),
      h('p', { class: 'muted', text: 'Merging moves every alert of the chosen incidents here; they are marked merged and point to this one.' }),
      mergeButton),
    auditSlot);
  drawAlerts();
  replace(auditSlot, await auditSection(base));

  function selectedIds() {
    return [...alertsSlot.querySelectorAll('input[name="alert"]:checked')].map((i) => /** @type {HTMLInputElement} */ (i).value);
  }

  function syncSelection() {
    const n = selectedIds().length;
    splitButton.disabled = n === 0 || n >= detail.alerts.length;
    selectedInfo.textContent = n === 0 ? 'No alerts selected' : n >= detail.alerts.length ? 'Leave at least one alert here' : `${plural(n, 'alert')} selected`;
  }

  function drawAlerts() {
    const rows = detail.alerts.map((/** @type {any} */ a) => {
      const name = a.labels?.alertname ?? a.fingerprint;
      const box = h('input', { attrs: { type: 'checkbox', name: 'alert', value: a.id, id: uid('sel'), 'aria-label': `Select ${name} (${a.status}, started ${a.startsAt})` }, on: { change: syncSelection } });
      return h('tr', { dataset: { alertId: a.id } },
        h('td', { class: 'check' }, box),
        h('th', { attrs: { scope: 'row' } }, h('span', { text: name })),
        h('td', { text: serviceOfAlert(a, detail.services) }),
        h('td', {}, badge(a.status, a.status)),
        h('td', {}, timeEl(a.startsAt)),
        h('td', { class: 'explain' }, h('span', { class: 'small', text: a.decision.explanation })),
        h('td', {}, h('button', { class: 'button', text: 'Move…', attrs: { type: 'button', 'aria-label': `Move ${name} to another incident` }, on: { click: () => void move(a) } })));
    });
    replace(alertsSlot, h('div', { class: 'table-wrap', attrs: { tabindex: '0', role: 'region', 'aria-label': 'Alerts' } },
      h('table', { class: 'data review-table' },
        h('caption', { class: 'visually-hidden', text: 'Alerts in this incident' }),
        h('thead', {}, h('tr', {}, ['Select', 'Alert', 'Service', 'Status', 'Started', 'Why it is here', ''].map((t) => h('th', { text: t, attrs: { scope: 'col' } })))),
        h('tbody', {}, rows))));
    syncSelection();
  }

  async function reload() {
    detail = await getJson(base);
    drawHead();
    drawAlerts();
    replace(auditSlot, await auditSection(base));
  }

  /** @param {any} a */
  const alertName = (a) => a.labels?.alertname ?? a.fingerprint;

  async function split() {
    const ids = selectedIds();
    const moving = detail.alerts.filter((/** @type {any} */ a) => ids.includes(a.id));
    const staying = detail.alerts.filter((/** @type {any} */ a) => !ids.includes(a.id));
    const ok = await confirmChange({
      title: 'Split into a new incident?',
      confirmLabel: `Split ${plural(moving.length, 'alert')} off`,
      summary: h('div', { class: 'change-summary' },
        h('p', { text: `A new incident is created with ${plural(moving.length, 'alert')}:` }),
        h('ul', {}, moving.map((/** @type {any} */ a) => h('li', { text: `${alertName(a)} (${a.status})` }))),
        h('p', { text: `"${detail.title}" keeps ${plural(staying.length, 'alert')}:` }),
        h('ul', {}, staying.map((/** @type {any} */ a) => h('li', { text: `${alertName(a)} (${a.status})` }))),
        reason.value.trim() ? h('p', { text: `Reason: ${reason.value.trim()}` }) : null,
        h('p', { class: 'muted small', text: 'Both timelines record the split with your name; rules will not merge the two back.' })),
    });
    if (!ok) return;
    try {
      const res = await request(`${base}/split`, { method: 'POST', body: { alertIds: ids, ...(reason.value.trim() ? { reason: reason.value.trim() } : {}) } });
      const created = res.data.newIncident;
      const createdDetail = await getJson(`/api/v1/incidents/${seg(created.id)}`);
      showResult(`Split: ${plural(moving.length, 'alert')} moved to a new incident`,
        h('p', {}, 'New incident: ', h('a', { text: created.title, attrs: { href: `/ui/incidents/${seg(created.id)}` } })),
        h('ul', { class: 'alert-list' }, createdDetail.alerts.map((/** @type {any} */ a) => h('li', {}, alertCard(a)))));
      reason.value = '';
      await reload();
      announce(`Split done: new incident ${created.title}`);
    } catch (err) {
      replace(resultSlot, errorBanner(err, 'Split failed'));
    }
  }

  /** @param {any} a */
  async function move(a) {
    const target = await pickIncidents({ title: `Move ${alertName(a)} to…`, excludeId: id, multiple: false, actionLabel: 'Continue' });
    if (!target || target.length === 0) return;
    const to = target[0];
    const ok = await confirmChange({
      title: 'Move this alert?',
      confirmLabel: 'Move alert',
      summary: h('div', { class: 'change-summary' },
        h('p', {}, 'Alert ', h('strong', { text: alertName(a) }), ' moves', h('br'),
          'from ', h('strong', { text: detail.title }), h('br'),
          'to ', h('strong', { text: to.title }), ` (${to.status}, ${plural(to.alertCount, 'alert')}).`),
        reason.value.trim() ? h('p', { text: `Reason: ${reason.value.trim()}` }) : null,
        h('p', { class: 'muted small', text: 'Its re-sent notifications and later firings follow it there.' })),
    });
    if (!ok) return;
    try {
      const res = await request(`/api/v1/alerts/${seg(a.id)}/move`, { method: 'POST', body: { incidentId: to.id, ...(reason.value.trim() ? { reason: reason.value.trim() } : {}) } });
      showResult(`Moved ${alertName(a)} to "${res.data.to.title}"`,
        h('p', {}, 'Now in: ', h('a', { text: res.data.to.title, attrs: { href: `/ui/incidents/${seg(res.data.to.id)}` } })),
        alertCard(res.data.alert));
      reason.value = '';
      if (detail.alerts.length <= 1) {
        detail = { ...detail, alerts: [] };
        drawHead();
        drawAlerts();
      } else {
        await reload();
      }
      announce(`Moved ${alertName(a)}`);
    } catch (err) {
      replace(resultSlot, errorBanner(err, 'Move failed'));
    }
  }

  async function merge() {
    const sources = await pickIncidents({ title: 'Merge into this incident', excludeId: id, multiple: true, actionLabel: 'Continue' });
    if (!sources || sources.length === 0) return;
    const alerts = sources.reduce((n, s) => n + s.alertCount, 0);
    const ok = await confirmChange({
      title: 'Merge these incidents?',
      confirmLabel: `Merge ${plural(sources.length, 'incident')}`,
      summary: h('div', { class: 'change-summary' },
        h('p', { text: `${plural(alerts, 'alert')} from ${plural(sources.length, 'incident')} move into "${detail.title}":` }),
        h('ul', {}, sources.map((s) => h('li', { text: `${s.title} (${s.status}, ${plural(s.alertCount, 'alert')})` }))),
        h('p', { text: 'Those incidents become "merged" and point here; their reports stop being drafted separately.' }),
        reason.value.trim() ? h('p', { text: `Reason: ${reason.value.trim()}` }) : null),
    });
    if (!ok) return;
    try {
      const res = await request(`${base}/merge`, { method: 'POST', body: { sourceIncidentIds: sources.map((s) => s.id), ...(reason.value.trim() ? { reason: reason.value.trim() } : {}) } });
      await reload();
      const moved = detail.alerts.filter((/** @type {any} */ a) => res.data.movedAlertIds.includes(a.id));
      showResult(`Merged ${plural(sources.length, 'incident')}: ${plural(res.data.movedAlertIds.length, 'alert')} moved here`,
        h('ul', { class: 'alert-list' }, moved.map((/** @type {any} */ a) => h('li', {}, alertCard(a)))));
      reason.value = '';
      announce(`Merged ${plural(sources.length, 'incident')}`);
    } catch (err) {
      replace(resultSlot, errorBanner(err, 'Merge failed'));
    }
  }

  /** @param {string} title @param {...any} content */
  function showResult(title, ...content) {
    const heading = h('h2', { text: title, attrs: { tabindex: '-1' } });
    replace(resultSlot, h('section', { class: 'card result', attrs: { 'aria-label': 'Result' } }, heading, content));
    heading.focus();
  }
}

/**
 * A dialog with a searchable list of incidents; resolves with the chosen ones (or null).
 * @param {{ title: string, excludeId: string, multiple: boolean, actionLabel: string }} opts
 * @returns {Promise<any[] | null>}
 */
function pickIncidents(opts) {
  return openDialog({
    title: opts.title,
    wide: true,
    build: (body, close) => {
      const search = /** @type {HTMLInputElement} */ (h('input', { attrs: { type: 'search', autocomplete: 'off', placeholder: 'Title, service or id' } }));
      const status = /** @type {HTMLSelectElement} */ (h('select', {}, h('option', { text: 'Open and resolved', attrs: { value: '' } }), h('option', { text: 'Open', attrs: { value: 'open' } }), h('option', { text: 'Resolved', attrs: { value: 'resolved' } })));
      const listId = uid('pick');
      const count = h('p', { class: 'muted small', attrs: { 'aria-live': 'polite' } });
      const list = h('fieldset', { class: 'picker', attrs: { id: listId } }, h('legend', { class: 'visually-hidden', text: 'Incidents' }));
      const error = h('div');
      /** @type {any[]} */
      let incidents = [];
      const chosen = () => [...list.querySelectorAll('input:checked')].map((i) => incidents.find((x) => x.id === /** @type {HTMLInputElement} */ (i).value)).filter(Boolean);
      const go = h('button', { class: 'button button-primary', text: opts.actionLabel, attrs: { type: 'submit' } });
      const draw = () => {
        const term = search.value.trim().toLowerCase();
        const shown = incidents.filter((i) => !term || i.title.toLowerCase().includes(term) || i.id.toLowerCase().includes(term) || i.services.some((/** @type {string} */ s) => s.toLowerCase().includes(term)));
        const keep = new Set(chosen().map((i) => i.id));
        clear(list);
        list.appendChild(h('legend', { class: 'visually-hidden', text: 'Incidents' }));
        for (const inc of shown.slice(0, 50)) {
          const input = h('input', { attrs: { type: opts.multiple ? 'checkbox' : 'radio', name: 'incident', value: inc.id, id: uid('inc') }, props: { checked: keep.has(inc.id) } });
          list.appendChild(h('div', { class: 'pick-row' }, input,
            h('label', { attrs: { for: input.id } },
              h('span', { class: 'pick-title', text: inc.title }),
              h('span', { class: 'muted small' }, ` ${inc.status} · ${inc.services.join(', ')} · started `, timeEl(inc.startedAt), ` · ${formatDuration(incidentDuration(inc))} · ${plural(inc.alertCount, 'alert')}`))));
        }
        count.textContent = shown.length === 0 ? 'No incidents match.' : `${plural(Math.min(shown.length, 50), 'incident')} shown${shown.length > 50 ? ` of ${shown.length}; narrow the search` : ''}`;
      };
      const load = async () => {
        try {
          const page = await getJson(`/api/v1/incidents${qs({ status: status.value, limit: 200 })}`);
          incidents = page.items.filter((/** @type {any} */ i) => i.id !== opts.excludeId);
          replace(error);
          draw();
        } catch (err) {
          replace(error, errorBanner(err, 'Could not load incidents'));
        }
      };
      search.addEventListener('input', draw);
      status.addEventListener('change', () => void load());
      append(body, h('form', {
        on: {
          submit: (/** @type {Event} */ ev) => {
            ev.preventDefault();
            const picked = chosen();
            if (picked.length === 0) { count.textContent = 'Choose an incident first.'; return; }
            close(picked);
          },
        },
      },
      h('div', { class: 'picker-filters' }, field('Find incident', search), field('Status', status)),
      count, error, list,
      h('div', { class: 'actions' }, go, h('button', { class: 'button', text: 'Cancel', attrs: { type: 'button' }, on: { click: () => close(null) } }))));
      void load();
      setTimeout(() => search.focus(), 0);
    },
  });
}

/** The correlation audit trail of an incident. @param {string} base */
async function auditSection(base) {
  const section = h('section', { class: 'card', attrs: { 'aria-labelledby': 'audit-h' } }, h('h2', { text: 'Correlation audit trail', attrs: { id: 'audit-h' } }));
  try {
    const audit = await getJson(`${base}/audit`);
    section.appendChild(h('ol', { class: 'audit' }, audit.events.slice().reverse().map((/** @type {any} */ e) => h('li', {},
      h('div', { class: 'tl-meta' }, timeEl(e.at), ' ', h('code', { text: e.kind }), e.actor ? h('span', { class: 'muted small', text: ` · ${e.actor}` }) : null),
      h('p', { class: 'small', text: e.text })))));
  } catch (err) {
    section.appendChild(errorBanner(err, 'Could not load the audit trail'));
  }
  return section;
}
