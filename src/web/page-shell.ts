/**
 * The HTML shell every page is served as. It carries no data at all: the page's script reads
 * the incident id from the URL and fetches everything from the API with the signed-in token,
 * so nothing untrusted is ever parsed as HTML. No inline script or style (the CSP allows
 * scripts and styles from 'self' only).
 */

/** The pages, by the `data-page` value the client script dispatches on. */
export const WEB_PAGES = {
  'sign-in': 'Sign in',
  incidents: 'Incidents',
  incident: 'Incident',
  review: 'Correlation review',
  report: 'Report editor',
  inbox: 'Inbox',
  declare: 'Declare an incident',
  'action-items': 'Overdue action items',
} as const;

export type WebPage = keyof typeof WEB_PAGES;

export function renderPageShell(page: WebPage): string {
  const title = `${WEB_PAGES[page]} · Debrief`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<link rel="stylesheet" href="/ui/assets/styles.css">
<link rel="icon" href="/ui/assets/favicon.svg" type="image/svg+xml">
<script type="module" src="/ui/assets/app.js"></script>
</head>
<body data-page="${page}">
<a class="skip-link" href="#main">Skip to content</a>
<header class="site-header" id="site-header"><a class="brand" href="/ui/incidents">Debrief</a></header>
<main id="main" tabindex="-1"><p class="loading">Loading…</p></main>
<div id="announcer" class="visually-hidden" role="status" aria-live="polite"></div>
<noscript><p class="noscript">These pages need JavaScript. The same data is available from the API (see /openapi.json).</p></noscript>
</body>
</html>
`;
}
