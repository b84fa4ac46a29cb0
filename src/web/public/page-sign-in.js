// Sign-in: the user pastes an API token. It is checked against GET /api/v1/me and kept in
// sessionStorage for this tab only.

import { ApiError, request, tokenStore } from './api.js';
import { append, field, h, replace } from './dom.js';
import { mainEl } from './layout.js';

/** Only paths of these pages are followed after sign-in (no open redirect). @param {string | null} next */
function safeNext(next) {
  return next && /^\/ui\/[A-Za-z0-9/._?=&%-]*$/.test(next) && !next.startsWith('/ui/sign-in') ? next : '/ui/incidents';
}

export async function render() {
  const main = mainEl();
  const next = safeNext(new URLSearchParams(location.search).get('next'));
  const input = h('input', {
    attrs: { type: 'password', name: 'token', autocomplete: 'off', spellcheck: 'false', required: true, minlength: '16' },
  });
  const message = h('div', { attrs: { 'aria-live': 'assertive' } });
  const button = h('button', { class: 'button button-primary', text: 'Sign in', attrs: { type: 'submit' } });
  const form = h('form', {
    class: 'card sign-in',
    attrs: { novalidate: true },
    on: {
      submit: async (/** @type {Event} */ ev) => {
        ev.preventDefault();
        const token = input.value.trim();
        if (token.length < 16) {
          replace(message, h('p', { class: 'field-error', text: 'An API token has at least 16 characters.' }));
          input.setAttribute('aria-invalid', 'true');
          input.focus();
          return;
        }
        button.setAttribute('disabled', '');
        try {
          const { data } = await request('/api/v1/me', { token });
          tokenStore.set(token);
          replace(message, h('p', { class: 'banner banner-ok', text: `Signed in as ${data.name} (${data.role}).` }));
          location.assign(next);
        } catch (err) {
          const status = err instanceof ApiError ? err.status : 0;
          const text = status === 401 ? 'This token was not accepted. Check it and try again.'
            : status === 429 ? 'Too many failed attempts from here; wait a minute and try again.'
              : `Could not sign in: ${err instanceof Error ? err.message : String(err)}`;
          replace(message, h('p', { class: 'field-error', attrs: { role: 'alert' }, text }));
          input.setAttribute('aria-invalid', 'true');
          input.focus();
        } finally {
          button.removeAttribute('disabled');
        }
      },
    },
  },
  h('h1', { text: 'Sign in to Debrief' }),
  h('p', { text: 'Paste your API token. Ask a Debrief admin for one; its role decides what you can change here.' }),
  field('API token', input, { hint: 'Kept only in this browser tab (session storage) and sent as a Bearer header. Closing the tab signs you out.' }),
  message,
  h('div', { class: 'actions' }, button));
  append(main, form);
  input.focus();
}
