// The frame every page shares: header with navigation and who is signed in, the live region
// for announcements, error banners and the confirmation dialog.

import { ApiError, can, tokenStore } from './api.js';
import { append, clear, h, replace, uid } from './dom.js';

/**
 * Fills the header: brand, navigation, the signed-in user and sign out.
 * @param {{ name: string, role: string } | null} user
 * @param {Array<{ href: string, text: string, current?: boolean }>} [crumbs]
 */
export function mountHeader(user, crumbs = []) {
  const header = document.getElementById('site-header');
  if (!header) return;
  const nav = h('nav', { class: 'site-nav', attrs: { 'aria-label': 'Main' } },
    h('ul', {},
      h('li', {}, h('a', { text: 'Incidents', attrs: { href: '/ui/incidents', 'aria-current': location.pathname === '/ui/incidents' ? 'page' : false } })),
      h('li', {}, h('a', { text: 'Action items', attrs: { href: '/ui/action-items', 'aria-current': location.pathname === '/ui/action-items' ? 'page' : false } })),
      user?.role === 'admin' ? h('li', {}, h('a', { text: 'Inbox', attrs: { href: '/ui/admin/inbox', 'aria-current': location.pathname === '/ui/admin/inbox' ? 'page' : false } })) : null,
      crumbs.map((crumb) => h('li', {}, h('a', { text: crumb.text, attrs: { href: crumb.href, 'aria-current': crumb.current ? 'page' : false } })))));
  const who = user
    ? h('div', { class: 'who' },
      h('span', { class: 'who-name' }, 'Signed in as ', h('strong', { text: user.name }), ' ', h('span', { class: 'badge badge-role', text: user.role })),
      h('button', {
        class: 'button-quiet', text: 'Sign out', attrs: { type: 'button' },
        on: { click: () => { tokenStore.clear(); location.assign('/ui/sign-in'); } },
      }))
    : null;
  replace(header, h('a', { class: 'brand', text: 'Debrief', attrs: { href: '/ui/incidents' } }), user ? nav : null, who);
}

/** The page's main element, emptied. */
export function mainEl() {
  const main = /** @type {HTMLElement} */ (document.getElementById('main'));
  clear(main);
  return main;
}

let announceTimer = 0;
/** Says something to screen readers (polite live region). @param {string} message */
export function announce(message) {
  const region = document.getElementById('announcer');
  if (!region) return;
  // Re-setting the same text is not announced again; clear first.
  region.textContent = '';
  clearTimeout(announceTimer);
  announceTimer = window.setTimeout(() => { region.textContent = message; }, 50);
}

/**
 * An error banner (role=alert) for a failed call.
 * @param {unknown} err
 * @param {string} [what]
 */
export function errorBanner(err, what = 'Something went wrong') {
  const apiError = err instanceof ApiError ? err : null;
  const message = apiError ? apiError.message : err instanceof Error ? err.message : String(err);
  return h('div', { class: 'banner banner-error', attrs: { role: 'alert' } },
    h('p', {}, h('strong', { text: `${what}: ` }), message),
    apiError && apiError.details.length ? h('ul', {}, apiError.details.map((detail) => h('li', {}, h('code', { text: detail.path }), ' ', detail.message))) : null,
    apiError?.requestId ? h('p', { class: 'muted small', text: `Request id ${apiError.requestId}` }) : null);
}

/**
 * A page that cannot be shown (not found, no access).
 * @param {unknown} err
 */
export function showFatal(err) {
  const main = mainEl();
  const apiError = err instanceof ApiError ? err : null;
  const title = apiError?.status === 404 ? 'Not found' : apiError?.status === 403 ? 'Not allowed' : 'Could not load this page';
  append(main, h('h1', { text: title }), errorBanner(err, title), h('p', {}, h('a', { text: 'Back to incidents', attrs: { href: '/ui/incidents' } })));
}

/**
 * A modal dialog (native <dialog>: focus is trapped, Escape closes, focus returns to the
 * opener). `build` fills the body and gets `close(value)`; resolves with that value (or null).
 * @template T
 * @param {{ title: string, build: (body: HTMLElement, close: (value: T | null) => void, dialog: HTMLDialogElement) => void, wide?: boolean }} opts
 * @returns {Promise<T | null>}
 */
export function openDialog(opts) {
  return new Promise((resolve) => {
    const opener = document.activeElement;
    const titleId = uid('dlg-title');
    const body = h('div', { class: 'dialog-body' });
    const dialog = h('dialog', { class: ['dialog', opts.wide ? 'dialog-wide' : null], attrs: { 'aria-labelledby': titleId } },
      h('h2', { text: opts.title, attrs: { id: titleId } }), body);
    /** @type {T | null} */
    let result = null;
    const close = (/** @type {T | null} */ value) => { result = value; dialog.close(); };
    dialog.addEventListener('close', () => {
      dialog.remove();
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
      resolve(result);
    });
    opts.build(body, close, dialog);
    document.body.appendChild(dialog);
    dialog.showModal();
  });
}

/**
 * Asks to confirm a change, showing what will change.
 * @param {{ title: string, summary: Node | string, confirmLabel: string, danger?: boolean }} opts
 * @returns {Promise<boolean>}
 */
export async function confirmChange(opts) {
  const ok = await openDialog({
    title: opts.title,
    build: (body, close) => {
      append(body,
        typeof opts.summary === 'string' ? h('p', { text: opts.summary }) : opts.summary,
        h('div', { class: 'actions' },
          h('button', { class: ['button', opts.danger ? 'button-danger' : 'button-primary'], text: opts.confirmLabel, attrs: { type: 'button', 'data-confirm': '' }, on: { click: () => close(true) } }),
          h('button', { class: 'button', text: 'Cancel', attrs: { type: 'button' }, on: { click: () => close(false) } })));
    },
  });
  return ok === true;
}

/** Whether the user may do what `needed` allows. @param {{ role: string } | null} user @param {string} needed */
export const allowed = (user, needed) => !!user && can(user.role, needed);
