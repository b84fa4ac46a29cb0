import { credentialFingerprint, FixedWindowCounter } from '../../src/http/failed-auth-limiter';

describe('failed-authentication counting', () => {
  it('when the same credential is presented, then its fingerprint is the same; another credential or scheme header gives another, and the secret is not in it', () => {
    const token = 'Bearer some-secret-token-0123456789';
    const a = credentialFingerprint({ authorization: token });
    expect(credentialFingerprint({ authorization: token, 'content-type': 'application/json' })).toBe(a);
    expect(credentialFingerprint({ authorization: 'Bearer another-secret-token-012345' })).not.toBe(a);
    expect(credentialFingerprint({})).not.toBe(a);
    expect(credentialFingerprint({ 'x-pagerduty-signature': 'v1=abc' })).not.toBe(credentialFingerprint({ 'x-pagerduty-signature': 'v1=abd' }));
    expect(a).not.toContain('secret');
    expect(a).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('when a window ends, then the key counts from one again', () => {
    let now = 1_000;
    const counter = new FixedWindowCounter({ windowMs: 60_000, maxKeys: 10, now: () => now });
    expect(counter.hit('k').hits).toBe(1);
    expect(counter.hit('k')).toEqual({ hits: 2, resetAt: 61_000 });
    now = 61_000;
    expect(counter.peek('k')).toBeNull();
    expect(counter.hit('k')).toEqual({ hits: 1, resetAt: 121_000 });
  });

  it('when more keys arrive than it may hold, then expired keys go first, then the oldest, and it never holds more', () => {
    let now = 0;
    const counter = new FixedWindowCounter({ windowMs: 100, maxKeys: 3, now: () => now });
    counter.hit('old');
    now = 50;
    counter.hit('a');
    counter.hit('a');
    counter.hit('b');
    now = 120; // 'old' has expired
    counter.hit('c');
    expect(counter.size).toBe(3);
    expect(counter.peek('old')).toBeNull();
    expect(counter.peek('a')?.hits).toBe(2);
    counter.hit('d'); // full of running windows: the oldest ('a') is forgotten
    expect(counter.size).toBe(3);
    expect(counter.peek('a')).toBeNull();
    expect(['b', 'c', 'd'].map((k) => counter.peek(k)?.hits)).toEqual([1, 1, 1]);
    for (let i = 0; i < 1000; i++) counter.hit(`guess-${i}`);
    expect(counter.size).toBe(3);
  });
});
