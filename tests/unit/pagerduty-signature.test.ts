import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseV1Signatures, verifyPagerDutySignature } from '../../connectors/pagerduty/pagerduty.signature';

// Published test vectors: Aldaviva/PagerDuty Tests/Webhooks/WebhookResourceTests.cs (see fixtures/SOURCES.md).
const SECRET = 'HvPtlQNKMPpHSSqJpCdndXfo7HnGXa1pnH6w5axpxLFn9aRBNBGh4e8/HlonK5mz';
const VECTORS = [
  ['aldaviva-signed-triggered.json', 'v1=3e3032b45bbe1801c13f182b0e0a7f4f3f530225cef07e3e90cbc57874d01c49'],
  ['aldaviva-signed-acknowledged.json', 'v1=91f533c0411d09f3e68622e2b57fdb561e7113ce7635318a2bbf5cde45d3d876'],
  ['aldaviva-signed-resolved.json', 'v1=60a745384fb05b03acfc592b157b05e105e498da2f72f53c437c9d7c8d9aa879'],
] as const;

const body = (name: string): Buffer => readFileSync(join(__dirname, '..', '..', 'connectors', 'pagerduty', 'fixtures', name));
const sign = (raw: Buffer, secret: string): string => `v1=${createHmac('sha256', secret).update(raw).digest('hex')}`;

const [triggeredName, triggeredSignature] = VECTORS[0];
const OTHER_SECRET = 'a-second-secret-during-rotation';

describe('verifyPagerDutySignature', () => {
  it.each(VECTORS)('accepts the published vector %s', (name, signature) => {
    expect(verifyPagerDutySignature(body(name), signature, [SECRET])).toEqual({ ok: true });
  });

  it('rejects the body with one byte changed as invalid', () => {
    const raw = Buffer.from(body(triggeredName));
    const at = raw.indexOf('"Test"') + 1;
    raw[at] = 'B'.charCodeAt(0); // "Test" -> "Best"
    expect(verifyPagerDutySignature(raw, triggeredSignature, [SECRET])).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('rejects a re-serialised body (same JSON, different bytes) as invalid', () => {
    const reencoded = Buffer.from(JSON.stringify(JSON.parse(body(triggeredName).toString('utf8')), null, 2));
    expect(verifyPagerDutySignature(reencoded, triggeredSignature, [SECRET])).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('rejects a changed signature as invalid', () => {
    const last = triggeredSignature.at(-1) === '0' ? '1' : '0';
    const changed = triggeredSignature.slice(0, -1) + last;
    expect(verifyPagerDutySignature(body(triggeredName), changed, [SECRET])).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('rejects the signature of another vector as invalid', () => {
    expect(verifyPagerDutySignature(body(triggeredName), VECTORS[1][1], [SECRET])).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('rejects the right signature under the wrong secret as invalid', () => {
    expect(verifyPagerDutySignature(body(triggeredName), triggeredSignature, [OTHER_SECRET])).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it.each([undefined, '', '   '])('reports a missing header (%p) as missing', (header) => {
    expect(verifyPagerDutySignature(body(triggeredName), header, [SECRET])).toEqual({
      ok: false,
      reason: 'missing',
      message: expect.stringContaining('X-PagerDuty-Signature'),
    });
  });

  it('rejects an empty body with a signature of another body as invalid', () => {
    expect(verifyPagerDutySignature(Buffer.alloc(0), triggeredSignature, [SECRET])).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('rejects everything as invalid when no secret is configured', () => {
    expect(verifyPagerDutySignature(body(triggeredName), triggeredSignature, [])).toMatchObject({ ok: false, reason: 'invalid' });
    expect(verifyPagerDutySignature(body(triggeredName), triggeredSignature, [''])).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('rejects headers with no v1 entry, other schemes, or malformed hex as invalid', () => {
    const raw = body(triggeredName);
    const hex = triggeredSignature.slice(3);
    for (const header of [hex, `v2=${hex}`, 'v1=', 'v1=xyz', `v1=${hex.slice(0, 63)}`, `v1=${hex}00`, '=,=,,']) {
      expect(verifyPagerDutySignature(raw, header, [SECRET])).toMatchObject({ ok: false, reason: 'invalid' });
    }
  });

  describe('secret rotation', () => {
    const raw = body(triggeredName);
    const newSignature = sign(raw, OTHER_SECRET);

    it.each([
      ['old first', `${triggeredSignature},${newSignature}`],
      ['new first', `${newSignature},${triggeredSignature}`],
      ['with spaces', ` ${newSignature} ,  ${triggeredSignature} `],
      ['with a non-v1 scheme among them', `v0=deadbeef, ${triggeredSignature},v2=${'0'.repeat(64)}, ${newSignature}`],
    ])('accepts a header with two signatures (%s) when either secret is configured', (_label, header) => {
      expect(verifyPagerDutySignature(raw, header, [SECRET])).toEqual({ ok: true });
      expect(verifyPagerDutySignature(raw, header, [OTHER_SECRET])).toEqual({ ok: true });
    });

    it('accepts one signature when Debrief has two secrets configured, in any order', () => {
      expect(verifyPagerDutySignature(raw, triggeredSignature, [OTHER_SECRET, SECRET])).toEqual({ ok: true });
      expect(verifyPagerDutySignature(raw, newSignature, [SECRET, OTHER_SECRET])).toEqual({ ok: true });
    });

    it('rejects two signatures of which neither matches a configured secret', () => {
      const header = `${sign(raw, 'x')},${sign(raw, 'y')}`;
      expect(verifyPagerDutySignature(raw, header, [SECRET, OTHER_SECRET])).toMatchObject({ ok: false, reason: 'invalid' });
    });
  });
});

describe('parseV1Signatures', () => {
  it('splits on commas, trims, keeps only well-formed v1 entries (case-insensitive scheme and hex)', () => {
    const hex = 'ab'.repeat(32);
    const parsed = parseV1Signatures(` v1=${hex}, V1=${hex.toUpperCase()} ,v2=${hex},v1=${hex}=,garbage`);
    expect(parsed.map((b) => b.toString('hex'))).toEqual([hex, hex]);
  });
});
