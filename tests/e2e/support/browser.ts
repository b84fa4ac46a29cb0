import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

// page.evaluate callbacks run in the browser. The tsconfig has no DOM lib (server code must not
// see browser globals), so the few globals they touch are declared for this module only.
declare const window: any;
declare const document: any;
declare const sessionStorage: any;

/**
 * Real Chromium for the page tests: Debian's `chromium` package driven by playwright-core.
 * Never a downloaded browser. Playwright gives every launch a fresh temporary user-data-dir
 * (and removes it on close), so no profile state leaks between runs. The Debian launcher
 * script prints a harmless warning about its config on stderr.
 */
export const CHROMIUM = '/usr/bin/chromium';

const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];

export const SCREENSHOT_DIR = join(__dirname, '..', '..', '..', 'test-artifacts', 'screenshots');

/** Launches Chromium; fails with an install hint when Debian's package is missing (never skips). */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: install Debian's chromium package (scripts/install-test-deps.sh does it)`);
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
}

/** What a page did that a test may want to refuse: dialogs, uncaught errors, console errors (CSP violations included). */
export interface PageProblems {
  dialogs: string[];
  pageErrors: string[];
  consoleErrors: string[];
}

export interface OpenedPage {
  context: BrowserContext;
  page: Page;
  problems: PageProblems;
}

export interface OpenOptions {
  /** Signed in with this API token (put in sessionStorage before any page script runs); omit for signed out. */
  token?: string;
  viewport?: { width: number; height: number };
  /**
   * Let the test inject a script tag (axe-core) despite the pages' CSP. Only for the accessibility
   * checks: every other test keeps the CSP, so a page that breaks it still fails there.
   */
  bypassCSP?: boolean;
}

/** A fresh context (its own sessionStorage) and page, recording dialogs and errors. */
export async function openPage(browser: Browser, options: OpenOptions = {}): Promise<OpenedPage> {
  // Fixed zone and locale: times typed into datetime-local fields mean the same instant on every machine.
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 900 }, timezoneId: 'UTC', locale: 'en-US', bypassCSP: options.bypassCSP ?? false });
  // No network beyond the app under test.
  await context.route((url) => !/^https?:\/\/127\.0\.0\.1(:\d+)?\//.test(url.href), (route) => route.abort());
  if (options.token) {
    await context.addInitScript((token: string) => { sessionStorage.setItem('debrief.apiToken', token); }, options.token);
  }
  const page = await context.newPage();
  // Fail a step in seconds, not at jest's timeout, so the failing step is named.
  page.setDefaultTimeout(10_000);
  const problems: PageProblems = { dialogs: [], pageErrors: [], consoleErrors: [] };
  page.on('dialog', (d) => {
    problems.dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  page.on('pageerror', (e) => problems.pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.consoleErrors.push(m.text());
  });
  return { context, page, problems };
}

/** Goes to a page and waits until its script has rendered (body[data-ready]). */
export async function visit(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: 15_000 });
}

/** Writes test-artifacts/screenshots/<name>.png (full page). */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  const fullPage = options.fullPage ?? true;
  // A full-page picture from the top, so sticky bars sit where a reader expects them.
  if (fullPage) await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path, fullPage });
  return path;
}
