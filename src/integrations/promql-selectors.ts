/**
 * Which PromQL expressions Debrief is willing to send to Prometheus. The expression of a metric
 * snapshot comes from an alert's `generatorURL`, which whoever holds a webhook credential can
 * write, so before it is run every series selector in it must be bounded: it names its metric
 * (`up{...}`, `{__name__="up"}`, Prometheus 3's `{"my.metric"}`) or has at least one equality
 * matcher with a non-empty value (`{job="api"}`). `{__name__=~".+"}` or `{job=~".*"}` select
 * every series Prometheus holds and are refused.
 *
 * Only braces matter: in PromQL they appear in series selectors and nowhere else (strings and
 * comments aside), so this is a scan, not a parser. Selectors written without braces (`up`)
 * always name their metric.
 */

/** The first unbounded selector of `expr` (as written), or null when every selector is bounded. */
export function unboundedSelector(expr: string): string | null {
  let i = 0;
  let previous: 'name' | 'other' = 'other';
  while (i < expr.length) {
    const c = expr[i]!;
    if (c === '"' || c === "'" || c === '`') {
      i = skipString(expr, i);
      previous = 'other';
    } else if (c === '#') {
      while (i < expr.length && expr[i] !== '\n') i++;
    } else if (/\s/.test(c)) {
      i++;
    } else if (/[A-Za-z_:]/.test(c)) {
      while (i < expr.length && /[A-Za-z0-9_:]/.test(expr[i]!)) i++;
      previous = 'name';
    } else if (c === '{') {
      const end = selectorEnd(expr, i);
      const body = expr.slice(i + 1, end - 1);
      if (previous !== 'name' && !boundedMatchers(body)) return expr.slice(i, end);
      i = end;
      previous = 'other';
    } else {
      i++;
      previous = 'other';
    }
  }
  return null;
}

/** Index just past the string literal starting at `start` (escapes inside "" and ''). */
function skipString(expr: string, start: number): number {
  const quote = expr[start]!;
  let i = start + 1;
  while (i < expr.length && expr[i] !== quote) i += quote !== '`' && expr[i] === '\\' ? 2 : 1;
  return Math.min(expr.length, i + 1);
}

/** Index just past the `}` closing the selector opened at `start` (or the end of the text). */
function selectorEnd(expr: string, start: number): number {
  let i = start + 1;
  while (i < expr.length && expr[i] !== '}') {
    i = expr[i] === '"' || expr[i] === "'" || expr[i] === '`' ? skipString(expr, i) : i + 1;
  }
  return Math.min(expr.length, i + 1);
}

const STRING = String.raw`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|` + '`[^`]*`';
const MATCHER = new RegExp(String.raw`^\s*([A-Za-z_][A-Za-z0-9_]*|${STRING})\s*(=~|!~|!=|=)?\s*(${STRING})?\s*(?:,|\bor\b|$)`);

/** True when the matchers inside a selector's braces bound it (see above). */
function boundedMatchers(body: string): boolean {
  let rest = body;
  while (rest.trim() !== '') {
    const m = MATCHER.exec(rest);
    // Not readable as matchers: Prometheus will refuse it anyway; Debrief does not send it.
    if (!m || m[0] === '') return false;
    const [, name, op, value] = m;
    // A quoted name alone is Prometheus 3's metric name in braces: `{"my.metric", job="x"}`.
    if (op === undefined && name!.length > 1 && /^["'`]/.test(name!)) return true;
    if (op === '=' && value !== undefined && unquote(value) !== '') return true;
    rest = rest.slice(m[0].length);
  }
  return false;
}

const unquote = (literal: string) => literal.slice(1, -1);
