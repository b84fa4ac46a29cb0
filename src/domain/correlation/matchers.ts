import { RE2JS, RE2JSSyntaxException } from 're2js';

/**
 * Label matchers in Alertmanager's syntax (`prometheus/alertmanager` pkg/labels/parse.go):
 * `name="value"`, `name!="value"`, `name=~"regex"`, `name!~"regex"`. Values may be quoted
 * (with `\"`, `\\` and `\n` escapes) or bare. As in Alertmanager:
 * - regexes are anchored (`^(?:re)$`), so `service=~"db"` does not match `db-main`;
 * - regexes are RE2 (Go's `regexp`, here its JavaScript port re2js), matched in time linear in
 *   the label value: a rule regex and a crafted label value can never stall processing, as
 *   JavaScript's backtracking RegExp let `([a-z0-9]+[-.]?)+\.prod` do. RE2 has no
 *   backreferences or lookaround; they are refused when the matcher is parsed (config load);
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
  /** Compiled (RE2), anchored; only for `=~` and `!~`. */
  regex: RE2JS | null;
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
  const regex = op === '=~' || op === '!~' ? compileAnchored(value, input) : null;
  return { name, op, value, regex, text: `${name}${op}${JSON.stringify(value)}` };
}

/**
 * The regex as Alertmanager compiles it, `^(?:value)$` in RE2 syntax. The value is first parsed
 * alone, so an error points into what was written, and so a value that only parses inside the
 * wrapper (`a)|(b`, which would unanchor it) is refused instead of silently matching more.
 */
function compileAnchored(value: string, input: string): RE2JS {
  try {
    RE2JS.compile(value);
    return RE2JS.compile(`^(?:${value})$`);
  } catch (err) {
    throw new MatcherSyntaxError(`"${input}": invalid regular expression (RE2 syntax, as Alertmanager): ${regexProblem(value, err)}`);
  }
}

/** What is wrong and where (1-based character in the value), in words a rule author can act on. */
function regexProblem(value: string, err: unknown): string {
  if (!(err instanceof RE2JSSyntaxException)) return (err as Error)?.message ?? String(err);
  const fragment = err.getPattern() ?? '';
  const feature = unsupportedFeature(fragment);
  // RE2 names the offending fragment; when that is the whole value (a missing parenthesis) it has no place.
  const at = fragment !== '' && (fragment !== value || feature) ? value.indexOf(fragment) : -1;
  return `${feature ?? err.getDescription()}${at >= 0 ? ` at character ${at + 1} (\`${fragment}\`)` : ''}`;
}

/** Perl features RE2 leaves out on purpose (they need backtracking), named so the error says why. */
function unsupportedFeature(fragment: string): string | null {
  if (/^\(\?<?[=!]/.test(fragment)) return 'lookahead and lookbehind are not supported';
  if (/^\\([1-9]|k)/.test(fragment)) return 'backreferences are not supported';
  if (fragment.startsWith('(?>')) return 'atomic groups are not supported';
  return null;
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
