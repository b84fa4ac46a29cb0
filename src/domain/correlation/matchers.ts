/**
 * Label matchers in Alertmanager's syntax (`prometheus/alertmanager` pkg/labels/parse.go):
 * `name="value"`, `name!="value"`, `name=~"regex"`, `name!~"regex"`. Values may be quoted
 * (with `\"`, `\\` and `\n` escapes) or bare. As in Alertmanager:
 * - regexes are anchored (`^(?:re)$`), so `service=~"db"` does not match `db-main`;
 * - an absent label has the value "", so `env!="dev"` matches alerts without `env` and
 *   `team=""` matches only alerts without `team`.
 *
 * Debrief adds one pseudo-label, `@service`: the service the alert names through
 * `impact.serviceLabels` (first of `service`, `app`, `job` present, by default).
 */

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  name: string;
  op: MatchOp;
  value: string;
  /** The matcher as written, normalised (`name="value"`), for explanations. */
  text: string;
  /** Compiled, anchored; only for `=~` and `!~`. */
  regex: RegExp | null;
}

export class MatcherSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MatcherSyntaxError';
  }
}

export const SERVICE_PSEUDO_LABEL = '@service';

const NAME = /^(@service|[A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*/;

/** Parses one matcher; throws `MatcherSyntaxError` saying what is wrong. */
export function parseMatcher(input: string): Matcher {
  const src = input.trim();
  const m = NAME.exec(src);
  if (!m) {
    throw new MatcherSyntaxError(`"${input}" is not a matcher: expected name, one of = != =~ !~, and a value (e.g. severity="critical")`);
  }
  const name = m[1]!;
  const op = m[2] as MatchOp;
  const rest = src.slice(m[0].length);
  const value = rest.startsWith('"') ? unquote(rest, input) : bare(rest, input);
  let regex: RegExp | null = null;
  if (op === '=~' || op === '!~') {
    try {
      regex = new RegExp(`^(?:${value})$`);
    } catch (err) {
      throw new MatcherSyntaxError(`"${input}": invalid regular expression: ${(err as Error).message}`);
    }
  }
  return { name, op, value, regex, text: `${name}${op}${JSON.stringify(value)}` };
}

function unquote(rest: string, input: string): string {
  let out = '';
  for (let i = 1; i < rest.length; i++) {
    const c = rest[i]!;
    if (c === '\\') {
      const next = rest[i + 1];
      if (next === undefined) break;
      out += next === 'n' ? '\n' : next;
      i++;
    } else if (c === '"') {
      if (rest.slice(i + 1).trim() !== '') throw new MatcherSyntaxError(`"${input}": unexpected text after the closing quote`);
      return out;
    } else {
      out += c;
    }
  }
  throw new MatcherSyntaxError(`"${input}": the value's closing quote is missing`);
}

function bare(rest: string, input: string): string {
  const v = rest.trim();
  if (/["\s,{}]/.test(v)) throw new MatcherSyntaxError(`"${input}": quote values that contain spaces, commas, braces or quotes`);
  return v;
}

/** The value a matcher sees for `name`: the label, the service for `@service`, "" when absent. */
export function labelValue(labels: Record<string, string>, name: string, service: string | null): string {
  if (name === SERVICE_PSEUDO_LABEL) return service ?? '';
  return labels[name] ?? '';
}

export function matcherMatches(m: Matcher, labels: Record<string, string>, service: string | null): boolean {
  const v = labelValue(labels, m.name, service);
  switch (m.op) {
    case '=': return v === m.value;
    case '!=': return v !== m.value;
    case '=~': return m.regex!.test(v);
    case '!~': return !m.regex!.test(v);
  }
}

/** True when every matcher matches (an empty list matches everything). */
export function allMatch(matchers: readonly Matcher[], labels: Record<string, string>, service: string | null): boolean {
  return matchers.every((m) => matcherMatches(m, labels, service));
}
