import type { Page } from 'playwright-core';

// page.evaluate callbacks run in the browser; the tsconfig has no DOM lib.
declare const window: any;

/** axe-core's browser build: one plain script, injected into the page under test (nothing is downloaded). */
export const AXE_SCRIPT = require.resolve('axe-core/axe.min.js');

/** The rule sets the pages are held to: WCAG 2 A and AA, and axe's best practices. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'best-practice'] as const;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: Array<{ target: string[]; failureSummary: string; html: string }>;
}

/** Runs axe on the page as it is now (the whole document) and returns its violations. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.addScriptTag({ path: AXE_SCRIPT });
  return page.evaluate(async (tags: readonly string[]) => {
    const result = await window.axe.run(window.document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return result.violations.map((v: any) => ({
      id: v.id, impact: v.impact ?? null, help: v.help, helpUrl: v.helpUrl,
      nodes: v.nodes.map((n: any) => ({ target: n.target.map(String), failureSummary: n.failureSummary ?? '', html: String(n.html).slice(0, 200) })),
    }));
  }, AXE_TAGS);
}

/** Violations as a reader wants them in a failing test: rule, impact, help, then each element and why. */
export function formatViolations(where: string, violations: AxeViolation[]): string {
  if (violations.length === 0) return `${where}: no violations`;
  const lines = [`${where}: ${violations.length} axe violation(s)`];
  for (const v of violations) {
    lines.push(`- ${v.id} (${v.impact ?? 'no impact'}): ${v.help} <${v.helpUrl}>`);
    for (const n of v.nodes) {
      lines.push(`    at ${n.target.join(' ')}`, `       ${n.html}`);
      for (const reason of n.failureSummary.split('\n').filter((l) => l.trim() !== '')) lines.push(`       ${reason.trim()}`);
    }
  }
  return lines.join('\n');
}
