import { allMatch, matcherMatches, MatcherSyntaxError, parseMatcher } from '../../src/domain/correlation/matchers';

describe('Alertmanager matchers', () => {
  it('when a matcher is written in each operator, then it parses into name, operator and value', () => {
    expect(parseMatcher('severity="critical"')).toMatchObject({ name: 'severity', op: '=', value: 'critical' });
    expect(parseMatcher('env!="dev"')).toMatchObject({ name: 'env', op: '!=', value: 'dev' });
    expect(parseMatcher('service=~"db-.*"')).toMatchObject({ name: 'service', op: '=~', value: 'db-.*' });
    expect(parseMatcher('team!~"sre|ops"')).toMatchObject({ name: 'team', op: '!~', value: 'sre|ops' });
    expect(parseMatcher('  severity = critical ')).toMatchObject({ name: 'severity', op: '=', value: 'critical', text: 'severity="critical"' });
    expect(parseMatcher('@service="checkout"')).toMatchObject({ name: '@service', value: 'checkout' });
  });

  it('when a quoted value has escapes, then they are unescaped as Alertmanager does', () => {
    expect(parseMatcher('summary="say \\"hi\\", a\\\\b\\nnext"').value).toBe('say "hi", a\\b\nnext');
  });

  it('when a regex matcher is applied, then the regex is anchored at both ends', () => {
    const m = parseMatcher('service=~"db"');
    expect(matcherMatches(m, { service: 'db' }, null)).toBe(true);
    expect(matcherMatches(m, { service: 'db-main' }, null)).toBe(false);
    expect(matcherMatches(m, { service: 'old-db' }, null)).toBe(false);
    expect(matcherMatches(parseMatcher('service=~"db-.*"'), { service: 'db-main' }, null)).toBe(true);
    expect(matcherMatches(parseMatcher('service=~"a|b"'), { service: 'ab' }, null)).toBe(false);
  });

  it('when a label is absent, then it matches as the empty string (env!="dev" matches, team="" matches)', () => {
    expect(matcherMatches(parseMatcher('env!="dev"'), {}, null)).toBe(true);
    expect(matcherMatches(parseMatcher('env!="dev"'), { env: 'dev' }, null)).toBe(false);
    expect(matcherMatches(parseMatcher('team=""'), {}, null)).toBe(true);
    expect(matcherMatches(parseMatcher('team=""'), { team: 'sre' }, null)).toBe(false);
    expect(matcherMatches(parseMatcher('team!~"sre"'), {}, null)).toBe(true);
  });

  it('when @service is matched, then the service named by the service labels is used', () => {
    expect(matcherMatches(parseMatcher('@service=~"orders.*"'), { app: 'orders-db' }, 'orders-db')).toBe(true);
    expect(matcherMatches(parseMatcher('@service!=""'), {}, null)).toBe(false);
  });

  it('when several matchers are given, then all must match', () => {
    const ms = ['severity="critical"', 'env!="dev"'].map(parseMatcher);
    expect(allMatch(ms, { severity: 'critical', env: 'prod' }, null)).toBe(true);
    expect(allMatch(ms, { severity: 'critical', env: 'dev' }, null)).toBe(false);
    expect(allMatch([], {}, null)).toBe(true);
  });

  it.each([
    ['severity', 'expected name, one of'],
    ['severity=="x"', 'quote values'],
    ['severity="critical', 'closing quote is missing'],
    ['severity="a" b', 'after the closing quote'],
    ['service=~"("', 'invalid regular expression'],
    ['service=~"(a)\\\\1"', 'backreferences are not supported at character 4'],
    ['service=~"db(?=-main)"', 'lookahead and lookbehind are not supported at character 3'],
    ['service=~"(?<!old-)db"', 'lookahead and lookbehind are not supported at character 1'],
    ['service=~"(?>a+)b"', 'atomic groups are not supported at character 1'],
    ['service=~"a{1001}"', 'invalid repeat count at character 2'],
    ['service=~"\\\\u0041"', 'invalid escape sequence at character 1'],
    // Inside Alertmanager's `^(?:...)$` this would parse and match anything starting with "a".
    ['service=~"a)|(b"', 'unexpected )'],
    ['1abc="x"', 'expected name'],
    ['a=b c', 'quote values'],
  ])('when %s is parsed, then it fails saying %s', (input, message) => {
    expect(() => parseMatcher(input)).toThrow(MatcherSyntaxError);
    expect(() => parseMatcher(input)).toThrow(message);
  });

  it('when a regex would backtrack catastrophically in JavaScript, then RE2 answers in linear time', () => {
    // With RegExp this took 15.8 s at 30 characters and grew exponentially (a poison inbox entry).
    const m = parseMatcher('instance=~"([a-z0-9]+[-.]?)+\\\\.prod\\\\.example\\\\.com:9100"');
    const started = Date.now();
    for (const n of [30, 40, 1000, 100_000]) {
      expect(matcherMatches(m, { instance: `${'a'.repeat(n)}.prod.example.com:9101` }, null)).toBe(false);
      expect(matcherMatches(m, { instance: `${'a'.repeat(n)}.prod.example.com:9100` }, null)).toBe(true);
    }
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('when a regex is matched, then it has Go RE2 semantics: code points, no multi-line anchors, Perl classes', () => {
    expect(matcherMatches(parseMatcher('service=~"x.y"'), { service: 'x🔥y' }, null)).toBe(true);
    expect(matcherMatches(parseMatcher('service=~"x.y"'), { service: 'x\ny' }, null)).toBe(false);
    expect(matcherMatches(parseMatcher('service=~"db"'), { service: 'db\n' }, null)).toBe(false);
    expect(matcherMatches(parseMatcher('pod=~"[[:alpha:]]+-\\\\d+"'), { pod: 'orders-12' }, null)).toBe(true);
    expect(matcherMatches(parseMatcher('service=~"(?i)DB-.*"'), { service: 'db-main' }, null)).toBe(true);
    expect(matcherMatches(parseMatcher('service=~"x.y"'), { service: 'x\ud800y' }, null)).toBe(true);
  });
});
