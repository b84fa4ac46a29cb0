// Entry point of every page: the HTML shell names the page in <body data-page>; this module
// checks the sign-in and hands over to that page's module.

import { ApiError, me, signInUrl, tokenStore } from './api.js';
import { mountHeader, showFatal } from './layout.js';

const PAGES = {
  incidents: () => import('./page-incidents.js'),
  incident: () => import('./page-incident.js'),
  review: () => import('./page-review.js'),
  report: () => import('./page-report.js'),
  inbox: () => import('./page-inbox.js'),
  declare: () => import('./page-declare.js'),
  'action-items': () => import('./page-action-items.js'),
};

async function start() {
  const page = document.body.dataset.page ?? '';
  if (page === 'sign-in') {
    mountHeader(null);
    const mod = await import('./page-sign-in.js');
    await mod.render();
    document.body.dataset.ready = 'true';
    return;
  }
  if (!tokenStore.get()) {
    location.replace(signInUrl());
    return;
  }
  const load = PAGES[/** @type {keyof typeof PAGES} */ (page)];
  if (!load) {
    showFatal(new Error(`unknown page "${page}"`));
    return;
  }
  try {
    const [user, mod] = await Promise.all([me(), load()]);
    mountHeader(user);
    await mod.render(user);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return; // already on the way to sign-in
    console.error(err);
    showFatal(err);
  }
  document.body.dataset.ready = 'true';
}

void start();
