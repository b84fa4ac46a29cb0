import { ValidationError } from '../../src/errors';
import { assertJsonWithinLimits, FORBIDDEN_JSON_KEYS } from '../../src/http/security';

/** The error `assertJsonWithinLimits` throws (fails the test when nothing is thrown). */
function refusal(value: unknown, limits = { maxDepth: 4, maxKeys: 100 }): ValidationError {
  try {
    assertJsonWithinLimits(value, limits);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return err as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

describe('assertJsonWithinLimits', () => {
  it('when a body is within the limits, then nothing is thrown, whatever its leaves', () => {
    expect(() => assertJsonWithinLimits({ a: [1, 'x', null, { b: { c: true } }], d: {} }, { maxDepth: 4, maxKeys: 100 })).not.toThrow();
    expect(() => assertJsonWithinLimits('just a string', { maxDepth: 1, maxKeys: 0 })).not.toThrow();
  });

  it('when a forbidden key is nested, then the error names its full path', () => {
    const body = JSON.parse('{"alerts":[{"labels":{"a":"1"}},{"labels":{"ok":"1","constructor":"x"}}]}') as unknown;
    const err = refusal(body);
    expect(err.message).toMatch(/forbidden key "constructor"/);
    expect(err.details).toEqual([expect.objectContaining({ path: 'body.alerts.1.labels.constructor' })]);
  });

  it.each([...FORBIDDEN_JSON_KEYS])('when the forbidden key %s appears, then the walk refuses it (its fast check agrees with the documented set)', (key) => {
    const err = refusal(JSON.parse(`{"a":{"${key}":1}}`));
    expect(err.details).toEqual([expect.objectContaining({ path: `body.a.${key}` })]);
  });

  it('when a key only resembles a forbidden one, then it is accepted', () => {
    expect(() => assertJsonWithinLimits({ proto: 1, Constructor: 2, prototypes: 3, __proto: 4 }, { maxDepth: 4, maxKeys: 100 })).not.toThrow();
  });

  it('when a __proto__ key comes from JSON.parse, then it is refused like any own key', () => {
    const err = refusal(JSON.parse('{"x":{"__proto__":{"polluted":true}}}'));
    expect(err.details).toEqual([expect.objectContaining({ path: 'body.x.__proto__' })]);
  });

  it('when nesting is one level too deep, then the error names the container past the limit', () => {
    const err = refusal({ a: [{ b: { c: 1 } }] }, { maxDepth: 3, maxKeys: 100 });
    expect(err.message).toMatch(/nested deeper than 3 levels/);
    expect(err.details).toEqual([expect.objectContaining({ path: 'body.a.0.b' })]);
    expect(() => assertJsonWithinLimits({ a: [{ b: { c: 1 } }] }, { maxDepth: 4, maxKeys: 100 })).not.toThrow();
  });

  it('when keys and array items together pass the limit, then it is refused at the root', () => {
    const err = refusal({ items: Array.from({ length: 99 }, (_, i) => i), extra: 1 });
    expect(err.message).toMatch(/more than 100 keys and array items/);
    expect(() => assertJsonWithinLimits({ items: Array.from({ length: 98 }, (_, i) => i) }, { maxDepth: 4, maxKeys: 100 })).not.toThrow();
  });
});
