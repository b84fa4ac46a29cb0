import Database from 'better-sqlite3';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { connectorsById } from '../../connectors';
import { InvalidPagerDutyIdError } from '../../connectors/pagerduty/pagerduty.rest';
import { PagerDutyEnrichment } from '../../src/integrations/pagerduty-enrichment';
import { createPagerDutyRestClient } from '../../src/integrations/pagerduty-rest-client';
import { ConfigError, loadConfig } from '../../src/config/load-config';
import { loadServiceCatalog } from '../../src/config/load-service-catalog';
import { defaultCorrelationRules } from '../../src/domain/correlation/rule-config';
import { inboxFileFor } from '../../src/store/sqlite/sqlite-inbox';
import { alertmanagerBody, type AlertSpec } from '../support/alertmanager-bodies';
import { allAlerts, allIncidentDetails, type AlertBody } from '../support/api-helpers';
import { startCaptureReceiver } from '../support/capture-receiver';
import { startFakePrometheus } from '../support/fake-prometheus';
import { AM_TOKEN, API_TOKEN, startTestApp, VIEWER_TOKEN, type TestApp } from '../support/test-app';
import { httpRequest, type HttpResponse } from '../e2e/support/processes';

/**
 * The bad-input corpus: hostile and broken inputs sent to every endpoint the app documents in
 * its own /openapi.json (so routes added later are covered without editing this file), to
 * every configured webhook instance, with valid credentials so the input is what gets judged.
 *
 * Every answer must be below 500. Every refusal must be a 4xx in the one error shape, and leave
 * the store exactly as it was (row counts of every table, read from the SQLite file). Inputs
 * that are valid but odd (emoji, right-to-left text, 10,000 alerts, year 9999) are accepted and
 * read back byte for byte.
 */

const PD_SECRET = 'corpus-pagerduty-signing-secret';
const T0 = '2026-11-26T14:00:00.000Z';

// ----------------------------------------------------------------- helpers

interface Answer { status: number; json: unknown; text: string; headers: HttpResponse['headers'] }

let app: TestApp;
let db: Database.Database;
let inboxDb: Database.Database;
let seeded: { incidentId: string; alertId: string; inboxId: string; actionItemId: string | null };

async function send(method: string, path: string, body?: Buffer | string, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await httpRequest(`${app.url}${path}`, { method: method.toUpperCase(), body, headers, timeoutMs: 60_000 });
  const text = res.body.toString('utf8');
  let json: unknown = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, json, text, headers: res.headers };
}

/**
 * Row count of every table in the store file and the inbox file beside it (the latter's as
 * `inbox file:<table>`): "nothing partially stored" for any table, present or future.
 */
function rowCounts(): Record<string, number> {
  const countsOf = (file: Database.Database, prefix: string) => {
    const tables = file.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as Array<{ name: string }>;
    return tables.map(({ name }) => [`${prefix}${name}`, Number((file.prepare(`SELECT count(*) AS n FROM "${name}"`).get() as { n: number }).n)]);
  };
  return Object.fromEntries([...countsOf(db, ''), ...countsOf(inboxDb, 'inbox file:')]);
}

/** Problems with a refusal, or null: 4xx, the one error shape, the request id, a message. */
function refusalProblem(a: Answer, expected?: { status?: number | number[]; code?: string; mentions?: RegExp }): string | null {
  if (a.status >= 500) return `got ${a.status} (a 5xx): ${a.text.slice(0, 300)}`;
  if (a.status < 400) return `expected a refusal, got ${a.status}: ${a.text.slice(0, 300)}`;
  const allowed = expected?.status === undefined ? null : ([] as number[]).concat(expected.status);
  if (allowed && !allowed.includes(a.status)) return `expected ${allowed.join('/')}, got ${a.status}: ${a.text.slice(0, 300)}`;
  const err = (a.json as { error?: { code?: unknown; message?: unknown; details?: unknown; requestId?: unknown } } | null)?.error;
  if (!err || typeof err.code !== 'string' || typeof err.message !== 'string' || !Array.isArray(err.details) || typeof err.requestId !== 'string') {
    return `not the error shape: ${a.text.slice(0, 300)}`;
  }
  if (err.requestId !== a.headers['x-request-id']) return 'requestId differs from X-Request-Id';
  if (err.message.length === 0) return 'empty error message';
  if (expected?.code && err.code !== expected.code) return `expected code ${expected.code}, got ${err.code}: ${err.message}`;
  if (expected?.mentions && !expected.mentions.test(`${err.message} ${JSON.stringify(err.details)}`)) {
    return `error does not name the problem (${expected.mentions}): ${err.message} ${JSON.stringify(err.details)}`;
  }
  return null;
}

const sign = (body: Buffer | string, secret = PD_SECRET) => `v1=${createHmac('sha256', secret).update(body).digest('hex')}`;

// ------------------------------------------------------------ the inputs

const am = (alerts: AlertSpec[], extra?: Record<string, unknown>) => JSON.stringify(alertmanagerBody(alerts, { extra }));
const one = (labels: Record<string, string> = { alertname: 'CorpusAlert', service: 'api' }, more: Partial<AlertSpec> = {}) => am([{ labels, startsAt: T0, ...more }]);
const withStartsAt = (startsAt: unknown) => JSON.stringify({ ...alertmanagerBody([{ labels: { alertname: 'Dates' }, startsAt: T0 }]), alerts: [{ labels: { alertname: 'Dates' }, startsAt, endsAt: '0001-01-01T00:00:00Z', status: 'firing' }] });
const nestedObjects = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
const withExtra = (rawJson: string) => one().replace(/^\{/, `{"extra":${rawJson},`);
const bytesWithin = (text: string, marker: string, bytes: number[]) => {
  const at = Buffer.from(text).indexOf(marker);
  return Buffer.concat([Buffer.from(text).subarray(0, at), Buffer.from(bytes), Buffer.from(text).subarray(at + Buffer.byteLength(marker))]);
};
const UNICODE = {
  alertname: 'Unicode🔥',
  service: 'חנות-מקוונת',
  region: 'مرکز-داده',
  team: 'équipe-👩‍💻-ß-Ω',
  combining: 'Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇',
  override: '‮gnp.exe‬',
  zeroWidth: 'a​b‌c‍d',
  cjk: '数据库连接失败',
};
/**
 * A rule regex that backtracks catastrophically in JavaScript's RegExp (one alert took 15.8 s at
 * 30 characters, hours at 40) and the label value that triggers it. The corpus app runs it as a
 * correlation rule and as a catalog `match`; RE2 answers in linear time.
 */
const CATASTROPHIC_REGEX = '([a-z0-9]+[-.]?)+\\.prod\\.example\\.com:9100';
const CATASTROPHIC_MATCHER = `instance=~"${CATASTROPHIC_REGEX.replace(/\\/g, '\\\\')}"`;
const TRICKY_VALUES = { alertname: 'TrickyValues', a: '__proto__', b: 'constructor', c: 'toString', d: 'hasOwnProperty', e: 'valueOf', service: '__proto__' };

type Outcome =
  | { refuse: { status?: number | number[]; code?: string; mentions?: RegExp } }
  | { accept: (res: Answer) => Promise<void> };

interface BodyCase {
  name: string;
  body: () => Buffer | string;
  headers?: Record<string, string>;
  /** Large bodies are not sent to GET endpoints (which never read them). */
  heavy?: boolean;
  /** What the Alertmanager webhook must answer. */
  alertmanager: Outcome;
  /** Also refused by API writes (JSON syntax, media type, size, depth, keys, encoding). */
  apiRefuses?: { status?: number | number[]; code?: string; mentions?: RegExp };
}

const refuse = (status?: number | number[], code?: string, mentions?: RegExp): Outcome => ({ refuse: { status, code, mentions } });

const cache = new Map<string, Buffer | string>();
const bodyOf = (c: BodyCase) => {
  if (!cache.has(c.name)) cache.set(c.name, c.body());
  return cache.get(c.name)!;
};

async function storedAlert(labels: Record<string, string>): Promise<AlertBody> {
  await app.settle();
  const found = (await allAlerts(app)).filter((a) => a.labels.alertname === labels.alertname);
  if (found.length !== 1) throw new Error(`expected one stored alert named ${labels.alertname}, found ${found.length}`);
  return found[0]!;
}

const BODY_CASES: BodyCase[] = [
  // JSON syntax
  { name: 'malformed JSON', body: () => '{"alerts": [ {"labels": ', alertmanager: refuse(400, 'malformed_body'), apiRefuses: { status: 400 } },
  { name: 'a valid body truncated in half', body: () => { const t = one(); return t.slice(0, t.length / 2); }, alertmanager: refuse(400, 'malformed_body'), apiRefuses: { status: 400 } },
  { name: 'trailing garbage after the JSON', body: () => `${one()}}garbage`, alertmanager: refuse(400, 'malformed_body'), apiRefuses: { status: 400 } },
  { name: 'single-quoted pseudo-JSON', body: () => "{'alerts': []}", alertmanager: refuse(400, 'malformed_body'), apiRefuses: { status: 400 } },
  { name: 'JSON with comments', body: () => '{/* c */ "alerts": []}', alertmanager: refuse(400, 'malformed_body'), apiRefuses: { status: 400 } },
  { name: 'NaN and Infinity literals', body: () => '{"alerts": [], "n": NaN, "i": Infinity}', alertmanager: refuse(400, 'malformed_body'), apiRefuses: { status: 400 } },
  // RFC 8259 section 8.1 lets a parser ignore a BOM: API routes do (body-parser), webhooks refuse it.
  { name: 'a byte-order mark before the JSON', body: () => `\uFEFF${one()}`, alertmanager: refuse(400, 'malformed_body') },
  { name: 'an empty body', body: () => '', alertmanager: refuse(400, 'malformed_body') },
  { name: 'only whitespace', body: () => ' \n\t ', alertmanager: refuse(400, 'malformed_body'), apiRefuses: { status: 400 } },
  { name: 'JSON null', body: () => 'null', alertmanager: refuse(400, 'validation_failed'), apiRefuses: { status: 400 } },
  { name: 'a JSON array', body: () => '[]', alertmanager: refuse(400, 'validation_failed') },
  { name: 'a JSON string', body: () => '"alerts"', alertmanager: refuse(400, 'validation_failed'), apiRefuses: { status: 400 } },
  { name: 'a JSON number', body: () => '12345', alertmanager: refuse(400, 'validation_failed'), apiRefuses: { status: 400 } },
  { name: 'an empty object', body: () => '{}', alertmanager: refuse(400, 'validation_failed', /alerts/) },
  { name: 'alerts as an object', body: () => '{"alerts": {"0": {}}}', alertmanager: refuse(400, 'validation_failed', /alerts/) },
  { name: 'an alert with no fields', body: () => '{"alerts": [{}]}', alertmanager: refuse(400, 'validation_failed', /alerts\.0\.(labels|startsAt)/) },
  { name: 'SQL in a label value, as data', body: () => one({ alertname: 'SqlInLabel', service: "api'); DROP TABLE alerts; --" }), alertmanager: {
    accept: async () => { expect((await storedAlert({ alertname: 'SqlInLabel' })).labels.service).toBe("api'); DROP TABLE alerts; --"); },
  } },
  { name: 'NoSQL operators as a label value', body: () => JSON.stringify(alertmanagerBody([{ labels: { alertname: 'NoSqlOp' }, startsAt: T0 }])).replace('"alertname":"NoSqlOp"', '"alertname":"NoSqlOp","service":{"$gt":""}'),
    alertmanager: refuse(400, 'validation_failed', /alerts\.0\.labels\.service/) },
  // media types and encodings
  { name: 'Content-Type text/plain', body: () => one(), headers: { 'Content-Type': 'text/plain' }, alertmanager: refuse(415, 'unsupported_media_type'), apiRefuses: { status: 415 } },
  { name: 'a form-encoded body', body: () => 'alerts=1&status=firing', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, alertmanager: refuse(415, 'unsupported_media_type'), apiRefuses: { status: 415 } },
  { name: 'a multipart body', body: () => '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--b--\r\n', headers: { 'Content-Type': 'multipart/form-data; boundary=b' }, alertmanager: refuse(415), apiRefuses: { status: 415 } },
  { name: 'an XML body', body: () => '<alerts><alert/></alerts>', headers: { 'Content-Type': 'application/xml' }, alertmanager: refuse(415), apiRefuses: { status: 415 } },
  { name: 'no Content-Type', body: () => one(), headers: { 'Content-Type': '' }, alertmanager: refuse(415), apiRefuses: { status: 415 } },
  { name: 'JSON declared as Latin-1 with a Latin-1 byte', body: () => bytesWithin(one({ alertname: 'Latin', service: 'cafeX' }), 'X', [0xe9]), headers: { 'Content-Type': 'application/json; charset=iso-8859-1' },
    alertmanager: refuse([400, 415]), apiRefuses: { status: [400, 415] } },
  { name: 'UTF-16LE encoded JSON', body: () => Buffer.from(one(), 'utf16le'), headers: { 'Content-Type': 'application/json; charset=utf-16le' }, alertmanager: refuse([400, 415]) },
  { name: 'gzip Content-Encoding over bytes that are not gzip', body: () => 'not gzip at all', headers: { 'Content-Encoding': 'gzip' }, alertmanager: refuse(400), apiRefuses: { status: 400 } },
  { name: 'an unknown Content-Encoding', body: () => gzipSync(one()), headers: { 'Content-Encoding': 'x-unknown' }, alertmanager: refuse(415), apiRefuses: { status: 415 } },
  { name: 'invalid UTF-8 (0xFF) in a label value', body: () => bytesWithin(one({ alertname: 'BadByte', service: 'api-MARK' }), 'MARK', [0xff, 0xfe]), alertmanager: refuse(400, 'malformed_body', /UTF-8.*byte offset \d+/), apiRefuses: { status: 400, mentions: /UTF-8/ } },
  { name: 'overlong UTF-8 (0xC0 0xAF)', body: () => bytesWithin(one({ alertname: 'Overlong', service: 'MARK' }), 'MARK', [0xc0, 0xaf]), alertmanager: refuse(400, 'malformed_body', /UTF-8/), apiRefuses: { status: 400, mentions: /UTF-8/ } },
  { name: 'an encoded UTF-16 surrogate (0xED 0xA0 0x80)', body: () => bytesWithin(one({ alertname: 'Surrogate', service: 'MARK' }), 'MARK', [0xed, 0xa0, 0x80]), alertmanager: refuse(400, 'malformed_body', /UTF-8/), apiRefuses: { status: 400 } },
  // size and shape
  { name: 'a body over the 5 MiB webhook limit', heavy: true, body: () => one({ alertname: 'Huge', blob: 'x'.repeat(5 * 1024 * 1024 + 1) }), alertmanager: refuse(413, 'payload_too_large'), apiRefuses: { status: 413 } },
  {
    name: '10,000 alerts in one body (within 5 MiB)', heavy: true,
    body: () => am(Array.from({ length: 10_000 }, (_, i) => ({ labels: { alertname: 'TenThousand', instance: `host-${i}`, service: 'bulk', severity: 'warning' }, startsAt: T0 }))),
    alertmanager: {
      accept: async (res) => {
        expect(res.json).toEqual(expect.objectContaining({ alerts: 10_000, duplicate: false }));
        await app.settle();
        const incidents = (await allIncidentDetails(app)).filter((i) => i.alerts.some((a) => a.labels.alertname === 'TenThousand'));
        expect(incidents.reduce((n, i) => n + i.alerts.length, 0)).toBe(10_000);
        expect(new Set(incidents.flatMap((i) => i.alerts.map((a) => a.labels.instance))).size).toBe(10_000);
      },
    },
    apiRefuses: { status: 413 },
  },
  {
    name: 'a 1 MB label value', heavy: true, body: () => one({ alertname: 'MegaLabel', service: 'api', note: 'x'.repeat(1024 * 1024) }),
    alertmanager: { accept: async () => { expect((await storedAlert({ alertname: 'MegaLabel' })).labels.note).toHaveLength(1024 * 1024); } },
    apiRefuses: { status: 413 },
  },
  { name: 'arrays nested 100,000 deep', heavy: true, body: () => withExtra(`${'['.repeat(100_000)}${']'.repeat(100_000)}`), alertmanager: refuse(400, 'validation_failed', /nested deeper than 64/), apiRefuses: { status: 400, mentions: /nested deeper than 64/ } },
  { name: 'objects nested 65 deep', body: () => withExtra(nestedObjects(65)), alertmanager: refuse(400, 'validation_failed', /nested deeper than 64/), apiRefuses: { status: 400, mentions: /nested deeper than 64/ } },
  {
    name: '300,000 keys in one body', heavy: true,
    body: () => withExtra(JSON.stringify(Object.fromEntries(Array.from({ length: 300_000 }, (_, i) => [`k${i}`, 0])))),
    alertmanager: refuse(400, 'validation_failed', /more than 250000 keys/), apiRefuses: { status: [400, 413] },
  },
  { name: 'a __proto__ key at the root', body: () => withExtra('1').replace('"extra":1', '"__proto__":{"polluted":true}'), alertmanager: refuse(400, 'validation_failed', /__proto__/), apiRefuses: { status: 400, mentions: /__proto__/ } },
  { name: 'a __proto__ label', body: () => one({ alertname: 'ProtoLabel' }).replace('"labels":{', '"labels":{"__proto__":"x",'), alertmanager: refuse(400, 'validation_failed', /alerts\.0\.labels\.__proto__/) },
  { name: 'constructor.prototype at the root', body: () => withExtra('1').replace('"extra":1', '"constructor":{"prototype":{"polluted":true}}'), alertmanager: refuse(400, 'validation_failed', /constructor/), apiRefuses: { status: 400, mentions: /constructor/ } },
  { name: 'a prototype annotation', body: () => one({ alertname: 'ProtoAnno' }, { annotations: { prototype: 'x' } }), alertmanager: refuse(400, 'validation_failed', /[aA]nnotations\.prototype/) },
  {
    name: 'label values named like Object.prototype members', body: () => one(TRICKY_VALUES),
    alertmanager: { accept: async () => { expect((await storedAlert(TRICKY_VALUES)).labels).toEqual(TRICKY_VALUES); } },
  },
  {
    name: 'a label value crafted against a backtracking rule regex', body: () => am([
      { labels: { alertname: 'RegexBombMiss', instance: `${'a'.repeat(40)}.prod.example.com:9101` }, startsAt: T0 },
      { labels: { alertname: 'RegexBombHit', instance: `${'a'.repeat(40)}.prod.example.com:9100` }, startsAt: T0 },
    ]),
    alertmanager: {
      accept: async () => {
        await storedAlert({ alertname: 'RegexBombMiss' });
        const hit = await storedAlert({ alertname: 'RegexBombHit' });
        expect((await app.api.get(`/api/v1/incidents/${hit.incidentId}`)).data.services).toEqual(['prod-hosts']);
      },
    },
  },
  // text that must survive unchanged
  {
    name: 'emoji, right-to-left, combining and invisible characters', body: () => one(UNICODE, { annotations: { summary: 'מסד הנתונים 🔥 לא זמין', description: 'تعذر الاتصال ‏بالخادم' } }),
    alertmanager: {
      accept: async () => {
        const a = await storedAlert(UNICODE);
        expect(a.labels).toEqual(UNICODE);
        expect(a.annotations).toEqual({ summary: 'מסד הנתונים 🔥 לא זמין', description: 'تعذر الاتصال ‏بالخادم' });
      },
    },
  },
  {
    name: 'escaped NUL, lone surrogate and control characters', body: () => one({ alertname: 'Escapes', nul: 'a\u0000b', lone: 'x\ud800y', ctl: '\u0001\u001f\u007f' }),
    alertmanager: { accept: async () => { expect((await storedAlert({ alertname: 'Escapes' })).labels).toEqual({ alertname: 'Escapes', nul: 'a\u0000b', lone: 'x\ud800y', ctl: '\u0001\u001f\u007f' }); } },
  },
  {
    name: 'duplicate keys in one object (last wins, as JSON.parse)', body: () => one({ alertname: 'DupKeys' }).replace('"alertname":"DupKeys"', '"alertname":"DupKeys","service":"first","service":"second"'),
    alertmanager: { accept: async () => { expect((await storedAlert({ alertname: 'DupKeys' })).labels.service).toBe('second'); } },
  },
  // times
  { name: 'startsAt in year 0000', body: () => withStartsAt('0000-01-01T00:00:00Z'), alertmanager: refuse(400, 'validation_failed', /alerts\.0\.startsAt/) },
  {
    name: 'startsAt in year 9999', body: () => one({ alertname: 'Year9999' }, { startsAt: '9999-12-31T23:59:59Z' }),
    alertmanager: { accept: async () => { expect((await storedAlert({ alertname: 'Year9999' })).startsAt).toBe('9999-12-31T23:59:59.000Z'); } },
  },
  { name: 'startsAt at the JavaScript date limit (+275760)', body: () => withStartsAt('+275760-09-13T00:00:00.000Z'), alertmanager: refuse(400, 'validation_failed', /alerts\.0\.startsAt/) },
  { name: 'startsAt beyond the JavaScript date limit', body: () => withStartsAt('275761-01-01T00:00:00Z'), alertmanager: refuse(400, 'validation_failed', /alerts\.0\.startsAt/) },
  { name: 'a negative year', body: () => withStartsAt('-000001-01-01T00:00:00Z'), alertmanager: refuse(400, 'validation_failed', /alerts\.0\.startsAt/) },
  { name: 'February 30th', body: () => withStartsAt('2026-02-30T10:00:00Z'), alertmanager: refuse(400, 'validation_failed', /alerts\.0\.startsAt/) },
  { name: 'a leap second', body: () => withStartsAt('2016-12-31T23:59:60Z'), alertmanager: refuse(400, 'validation_failed', /alerts\.0\.startsAt/) },
  { name: 'an offset of +25:00', body: () => withStartsAt('2026-11-26T10:00:00+25:00'), alertmanager: refuse(400, 'validation_failed', /alerts\.0\.startsAt/) },
  { name: 'startsAt as epoch seconds', body: () => withStartsAt(1_700_000_000), alertmanager: refuse(400, 'validation_failed', /alerts\.0\.startsAt/) },
  { name: 'startsAt empty', body: () => withStartsAt(''), alertmanager: refuse(400, 'validation_failed', /alerts\.0\.startsAt/) },
  {
    name: 'nanoseconds and a +14:00 offset', body: () => one({ alertname: 'Nanos' }, { startsAt: '2026-11-27T04:00:00.123456789+14:00' }),
    alertmanager: { accept: async () => { expect((await storedAlert({ alertname: 'Nanos' })).startsAt).toBe('2026-11-26T14:00:00.123Z'); } },
  },
  // identity
  {
    name: 'the same fingerprint twice with the same startsAt', body: () => am([
      { labels: { alertname: 'DupFp', service: 'api' }, startsAt: T0, annotations: { summary: 'first copy' } },
      { labels: { alertname: 'DupFp', service: 'api' }, startsAt: T0, annotations: { summary: 'second copy' } },
    ]),
    alertmanager: { accept: async () => { await storedAlert({ alertname: 'DupFp' }); } },
  },
  {
    name: 'the same fingerprint twice with different startsAt', body: () => am([
      { labels: { alertname: 'DupFpTwoFirings', service: 'api' }, startsAt: T0, endsAt: '2026-11-26T14:05:00Z' },
      { labels: { alertname: 'DupFpTwoFirings', service: 'api' }, startsAt: '2026-11-26T14:30:00Z' },
    ]),
    alertmanager: {
      accept: async () => {
        await app.settle();
        const found = (await allAlerts(app)).filter((a) => a.labels.alertname === 'DupFpTwoFirings');
        expect(found.map((a) => a.startsAt).sort()).toEqual([T0, '2026-11-26T14:30:00.000Z']);
        expect(new Set(found.map((a) => a.fingerprint)).size).toBe(1);
      },
    },
  },
  // credentials (webhook only: API requests carry the admin token)
  { name: 'no credentials', body: () => one(), headers: { Authorization: '' }, alertmanager: refuse(401, 'unauthorized') },
  { name: 'a wrong bearer token', body: () => one(), headers: { Authorization: 'Bearer wrong-token-0123456789abcdef' }, alertmanager: refuse(403, 'forbidden') },
  { name: 'the API token used as a webhook credential', body: () => one(), headers: { Authorization: `Bearer ${API_TOKEN}` }, alertmanager: refuse(403, 'forbidden') },
  { name: 'an 8 KB garbage Authorization header', body: () => one(), headers: { Authorization: `Bearer ${'A'.repeat(8000)}` }, alertmanager: refuse(403) },
  { name: 'a Basic header that is not base64', body: () => one(), headers: { Authorization: 'Basic %%%not-base64%%%' }, alertmanager: refuse([401, 403]) },
];

/** Path parameter values that try traversal, injection, decoding tricks and sheer size. */
const HOSTILE_IDS: Array<[string, string]> = [
  ['encoded traversal', '..%2F..%2Fetc%2Fpasswd'],
  ['lower-case encoded traversal', '..%2f..%2f..%2fetc%2fpasswd'],
  ['fully encoded traversal', '%2e%2e%2f%2e%2e%2fetc%2fpasswd'],
  ['backslash traversal', '..%5C..%5Cwindows%5Cwin.ini'],
  ['SQL injection', encodeURIComponent("' OR 1=1 --")],
  ['SQL stacked query', encodeURIComponent('1; DROP TABLE incidents')],
  ['NoSQL operator object', encodeURIComponent('{"$gt":""}')],
  ['NoSQL operator name', encodeURIComponent('$ne')],
  ['NUL byte', 'a%00b'],
  ['invalid percent-encoding', '%ff%fe'],
  ['broken percent-encoding', '%E0%A4%A'],
  ['5,000 characters', 'x'.repeat(5000)],
  ['emoji', encodeURIComponent('🔥')],
  ['script tag', encodeURIComponent('<script>alert(1)</script>')],
];

/** Query values: injection, type confusion, extreme numbers and dates, size. */
const INJECTIONS = ['{"$gt":""}', "' OR 1=1 --", '" OR ""="', "1') OR ('1'='1"];
const HOSTILE_QUERY_VALUES: string[] = [
  ...INJECTIONS, '$ne', '[object Object]', 'null', 'undefined', '', '-1', '0', '1e309', 'NaN', '0x10', '9'.repeat(40),
  '0000-01-01T00:00:00Z', '+275760-09-13T00:00:00.000Z', '2026-13-45T99:99:99Z', 'x'.repeat(10_000), '\u0000', '🔥‮', 'true; DROP TABLE incidents',
  Buffer.from(JSON.stringify({ s: "' OR 1=1 --", id: "' OR 1=1 --" })).toString('base64url'),
  Buffer.from(JSON.stringify({ s: { $gt: '' } })).toString('base64url'),
];

// -------------------------------------------------------------- the test

interface Op { method: string; path: string; access: 'api' | 'webhook' | 'public'; role: string | null; query: string[]; pathParams: string[] }

let ops: Op[] = [];

function fillPath(op: Op, override?: { param: string; value: string }): string {
  return op.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    if (override && override.param === name) return override.value;
    if (name === 'instance') return 'alertmanager';
    if (name === 'itemId') return seeded.actionItemId ?? 'no-such-item';
    if (name === 'n') return '1';
    if (op.path.startsWith('/api/v1/alerts/')) return seeded.alertId;
    if (op.path.startsWith('/api/v1/inbox/')) return seeded.inboxId;
    return seeded.incidentId;
  });
}

let configDir: string;

beforeAll(async () => {
  configDir = mkdtempSync(join(tmpdir(), 'debrief-corpus-config-'));
  const catalogFile = join(configDir, 'services.yaml');
  writeFileSync(catalogFile, `services:\n  - name: prod-hosts\n    match: [${JSON.stringify(CATASTROPHIC_MATCHER)}]\n`);
  app = await startTestApp({
    env: { DEBRIEF_PAGERDUTY_SIGNING_SECRETS: PD_SECRET },
    overrides: {
      // The corpus itself fails authentication on purpose many times from one address.
      security: { failedAuthPerMinute: 1_000_000, statusPagePerMinute: 1_000_000 },
      catalog: { file: catalogFile },
      correlation: { rules: [...defaultCorrelationRules(), { name: 'prod-hosts', match: [CATASTROPHIC_MATCHER], sameLabels: ['instance'], windowMinutes: 10 }] },
    },
  });
  db = new Database(app.dbFile, { readonly: true, fileMustExist: true });
  inboxDb = new Database(inboxFileFor(app.dbFile), { readonly: true, fileMustExist: true });
  const seed = await app.postAlertmanager(am([{ labels: { alertname: 'Seed', service: 'checkout', severity: 'critical' }, startsAt: '2026-11-20T10:00:00Z' }]));
  await app.postAlertmanager(am([{ labels: { alertname: 'SeedTwo', service: 'search' }, startsAt: '2026-11-21T10:00:00Z' }]));
  await app.settle();
  const alert = (await allAlerts(app)).find((a) => a.labels.alertname === 'Seed')!;
  const item = await app.api.post(`/api/v1/incidents/${alert.incidentId}/action-items`, { title: 'seeded action item' });
  seeded = { incidentId: alert.incidentId, alertId: alert.id, inboxId: seed.data.inboxId as string, actionItemId: item.status === 201 || item.status === 200 ? String(item.data.id) : null };

  const doc = JSON.parse((await send('get', '/openapi.json')).text) as { paths: Record<string, Record<string, { security?: Array<Record<string, unknown>>; parameters?: Array<{ in: string; name: string }>; 'x-debrief-role'?: string }>> };
  for (const [path, item2] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item2)) {
      const security = op.security ?? [];
      ops.push({
        method, path,
        access: security.some((s) => 'apiToken' in s) ? 'api' : security.length > 0 ? 'webhook' : 'public',
        role: op['x-debrief-role'] ?? null,
        query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
        pathParams: (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name),
      });
    }
  }
}, 60_000);

afterAll(async () => {
  db?.close();
  inboxDb?.close();
  await app?.stop();
  if (configDir) rmSync(configDir, { recursive: true, force: true });
});

/** Sends one request and checks the universal rules; returns problems (empty when fine). */
async function probe(label: string, method: string, path: string, body: Buffer | string | undefined, headers: Record<string, string>, mustRefuse?: { status?: number | number[]; code?: string; mentions?: RegExp }): Promise<{ problems: string[]; answer: Answer }> {
  await app.settle();
  const before = rowCounts();
  const answer = await send(method, path, body, headers);
  const problems: string[] = [];
  if (answer.status >= 500) problems.push(`${label}: ${answer.status} ${answer.text.slice(0, 200)}`);
  if (answer.status >= 400 || mustRefuse) {
    const p = refusalProblem(answer, mustRefuse);
    if (p) problems.push(`${label}: ${p}`);
    await app.settle();
    const after = rowCounts();
    if (JSON.stringify(after) !== JSON.stringify(before)) problems.push(`${label}: refused (${answer.status}) but the store changed: ${JSON.stringify(before)} -> ${JSON.stringify(after)}`);
  }
  return { problems, answer };
}

const apiHeaders = (extra: Record<string, string> = {}) => ({ Authorization: `Bearer ${API_TOKEN}`, 'Content-Type': 'application/json', ...extra });

describe('bad-input corpus', () => {
  it('when the app documents its endpoints, then the corpus reaches webhooks, API routes and public routes', () => {
    expect(BODY_CASES.length + HOSTILE_IDS.length + HOSTILE_QUERY_VALUES.length).toBeGreaterThanOrEqual(40);
    expect(ops.filter((o) => o.access === 'webhook').length).toBeGreaterThan(0);
    expect(ops.filter((o) => o.access === 'api').length).toBeGreaterThan(5);
    expect(ops.filter((o) => o.access === 'public').length).toBeGreaterThan(2);
    // PagerDuty cases below run against the default `pagerduty` instance.
    expect(connectorsById.has('pagerduty')).toBe(true);
  });

  describe.each(BODY_CASES.map((c) => [c.name, c] as const))('body: %s', (_name, c) => {
    it('when sent to the Alertmanager webhook, then it is refused cleanly or accepted and stored faithfully', async () => {
      const headers = { 'Content-Type': 'application/json', Authorization: `Bearer ${AM_TOKEN}`, ...c.headers };
      for (const k of Object.keys(headers)) if ((headers as Record<string, string>)[k] === '') delete (headers as Record<string, string>)[k];
      const expected = 'refuse' in c.alertmanager ? c.alertmanager.refuse : undefined;
      const { problems, answer } = await probe('alertmanager', 'post', '/webhooks/alertmanager', bodyOf(c), headers, expected);
      expect(problems).toEqual([]);
      if ('accept' in c.alertmanager) {
        expect(answer.status).toBe(202);
        await c.alertmanager.accept(answer);
      }
    });

    {
      it('when sent signed to the PagerDuty webhook, then it is refused cleanly or kept as a dead letter, creating no alert or incident', async () => {
        const body = bodyOf(c);
        const headers: Record<string, string> = { 'Content-Type': 'application/json', 'X-PagerDuty-Signature': sign(body), ...c.headers };
        delete headers.Authorization;
        for (const k of Object.keys(headers)) if (headers[k] === '') delete headers[k];
        await app.settle();
        const before = rowCounts();
        const { problems, answer } = await probe('pagerduty', 'post', '/webhooks/pagerduty', body, headers);
        expect(problems).toEqual([]);
        if (answer.status < 300) {
          await app.settle();
          const after = rowCounts();
          expect(after.alerts).toBe(before.alerts);
          expect(after.incidents).toBe(before.incidents);
          const entry = await app.api.get(`/api/v1/inbox/${(answer.json as { inboxId: string }).inboxId}`);
          expect(entry.data.state === 'dead' || entry.data.outcome?.ignoredReason).toBeTruthy();
        }
      });
    }

    it('when sent to every API and public write route (and, if small, every GET), then nothing answers 5xx and refusals leave the store unchanged', async () => {
      const problems: string[] = [];
      const targets = ops.filter((o) => o.access !== 'webhook' && (o.method !== 'get' || !c.heavy));
      for (const op of targets) {
        const headers = { ...apiHeaders(), ...c.headers };
        if (headers.Authorization === '' || /webhook|wrong|garbage|Basic/i.test(String(c.headers?.Authorization ?? ''))) headers.Authorization = `Bearer ${API_TOKEN}`;
        for (const k of Object.keys(headers)) if ((headers as Record<string, string>)[k] === '') delete (headers as Record<string, string>)[k];
        const mustRefuse = op.method !== 'get' && c.apiRefuses ? c.apiRefuses : undefined;
        problems.push(...(await probe(`${op.method.toUpperCase()} ${op.path}`, op.method, fillPath(op), bodyOf(c), headers, mustRefuse)).problems);
      }
      expect(problems).toEqual([]);
    });
  });

  describe.each(HOSTILE_IDS)('path parameter: %s', (_name, value) => {
    it('when put in every path parameter of every endpoint, then a clear 4xx in the error shape and nothing stored', async () => {
      const problems: string[] = [];
      for (const op of ops.filter((o) => o.pathParams.length > 0)) {
        for (const param of op.pathParams) {
          const headers = op.access === 'webhook' ? { 'Content-Type': 'application/json', Authorization: `Bearer ${AM_TOKEN}` } : apiHeaders();
          const body = op.method === 'get' ? undefined : op.access === 'webhook' ? one() : '{}';
          problems.push(...(await probe(`${op.method.toUpperCase()} ${op.path} {${param}}`, op.method, fillPath(op, { param, value }), body, headers, {})).problems);
        }
      }
      expect(problems).toEqual([]);
    });
  });

  describe.each(HOSTILE_QUERY_VALUES.map((v) => [v.length > 40 ? `${v.slice(0, 40)}... (${v.length} chars)` : JSON.stringify(v), v] as const))('query value %s', (_name, value) => {
    it('when put in every documented query parameter (alone, and repeated), then no 5xx, refusals are clean, and filters never match everything', async () => {
      const problems: string[] = [];
      for (const op of ops.filter((o) => o.query.length > 0)) {
        for (const param of op.query) {
          for (const qs of [`${param}=${encodeURIComponent(value)}`, `${param}=${encodeURIComponent(value)}&${param}=x`, `${param}[$gt]=${encodeURIComponent(value)}`]) {
            const label = `${op.method.toUpperCase()} ${op.path}?${qs.slice(0, 60)}`;
            const { problems: p, answer } = await probe(label, op.method, `${fillPath(op)}?${qs}`, undefined, apiHeaders());
            problems.push(...p);
            const items = (answer.json as { items?: unknown[] } | null)?.items;
            const fullText = op.path === '/api/v1/search' && param === 'q';
            if (answer.status < 300 && Array.isArray(items) && INJECTIONS.includes(value) && !['cursor', 'limit'].includes(param) && !qs.includes('[$gt]') && items.length > 0) {
              // Full text finds the string's words ("1" of "' OR 1=1"), and only where one of them is written.
              const wordless = fullText ? items.filter((item) => !(item as { matches: Array<{ highlights: unknown[] }> }).matches.some((m) => m.highlights.length > 0)) : items;
              if (wordless.length > 0) problems.push(`${label}: an injection string matched ${wordless.length} item(s)${fullText ? ' holding none of its words' : ''}`);
            }
          }
        }
      }
      expect(problems).toEqual([]);
    });
  });

  describe('API credentials on every API route', () => {
    it.each([
      ['no token', 401, {}],
      ['an unknown token', 401, { Authorization: 'Bearer unknown-token-0123456789abc' }],
      ['a webhook token', 401, { Authorization: `Bearer ${AM_TOKEN}` }],
      ['a malformed scheme', 401, { Authorization: `Token ${API_TOKEN}` }],
    ] as Array<[string, number, Record<string, string>]>)('when %s is sent, then %i in the error shape and nothing stored', async (_n, status, auth) => {
      const problems: string[] = [];
      for (const op of ops.filter((o) => o.access === 'api')) {
        const body = op.method === 'get' ? undefined : '{}';
        problems.push(...(await probe(`${op.method.toUpperCase()} ${op.path}`, op.method, fillPath(op), body, { 'Content-Type': 'application/json', ...auth }, { status, code: 'unauthorized' })).problems);
      }
      expect(problems).toEqual([]);
    });

    it('when a viewer token calls a route needing more, then 403 naming the role and nothing stored', async () => {
      const problems: string[] = [];
      for (const op of ops.filter((o) => o.access === 'api' && o.role && o.role !== 'viewer')) {
        const body = op.method === 'get' ? undefined : '{}';
        problems.push(...(await probe(`${op.method.toUpperCase()} ${op.path}`, op.method, fillPath(op), body,
          { 'Content-Type': 'application/json', Authorization: `Bearer ${VIEWER_TOKEN}` }, { status: 403, code: 'forbidden', mentions: new RegExp(op.role!) })).problems);
      }
      expect(problems).toEqual([]);
    });
  });
});

// ------------------------------------------------------- PagerDuty specifics

const pdFixture = (name: string) => readFileSync(join(__dirname, '../../connectors/pagerduty/fixtures', `${name}.json`), 'utf8');

/** A PagerDuty V3 body about another incident (ids replaced), so tests do not share state. */
function pdEvent(fixture: 'zulip-triggered_v3' | 'zulip-resolved_v3' | 'zulip-acknowledged_v3', incident: string, eventId: string): string {
  const body = JSON.parse(pdFixture(fixture)) as { event: { id: string; data: { id: string; self: string; html_url: string } } };
  body.event.id = eventId;
  body.event.data.id = incident;
  body.event.data.self = `https://api.pagerduty.com/incidents/${incident}`;
  body.event.data.html_url = `https://pig208.pagerduty.com/incidents/${incident}`;
  return JSON.stringify(body);
}

const postPd = (body: string, headers: Record<string, string> = {}) => send('post', '/webhooks/pagerduty', body, { 'Content-Type': 'application/json', 'X-PagerDuty-Signature': sign(body), ...headers });

describe('PagerDuty webhook corpus', () => {
  const body = () => pdEvent('zulip-triggered_v3', 'PCORPUS1', 'EVCORPUS1');

  it.each([
    ['no signature', 401, () => ({ 'X-PagerDuty-Signature': '' })],
    ['a signature made with another secret', 403, () => ({ 'X-PagerDuty-Signature': sign(body(), 'another-secret') })],
    ['a signature of other bytes', 403, () => ({ 'X-PagerDuty-Signature': sign(`${body()} `) })],
    ['a v1 value that is not hex', 403, () => ({ 'X-PagerDuty-Signature': 'v1=zzzz' })],
    ['only a v2 scheme', 403, () => ({ 'X-PagerDuty-Signature': sign(body()).replace('v1=', 'v2=') })],
    ['a truncated signature', 403, () => ({ 'X-PagerDuty-Signature': sign(body()).slice(0, 40) })],
    ['the Alertmanager bearer token instead', 401, () => ({ 'X-PagerDuty-Signature': '', Authorization: `Bearer ${AM_TOKEN}` })],
  ] as Array<[string, number, () => Record<string, string>]>)('when it carries %s, then %i and nothing is stored', async (_n, status, headers) => {
    const h: Record<string, string> = { 'Content-Type': 'application/json', ...headers() };
    for (const k of Object.keys(h)) if (h[k] === '') delete h[k];
    const { problems } = await probe('pagerduty', 'post', '/webhooks/pagerduty', body(), h, { status });
    expect(problems).toEqual([]);
  });

  it('when the same delivery is replayed (same X-Webhook-Id), then it is stored once and the replay says duplicate', async () => {
    const b = pdEvent('zulip-triggered_v3', 'PREPLAY1', 'EVREPLAY1');
    await app.settle();
    const before = rowCounts();
    const first = await postPd(b, { 'X-Webhook-Id': 'delivery-replay-1' });
    const again = await postPd(b, { 'X-Webhook-Id': 'delivery-replay-1' });
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.json).toEqual(expect.objectContaining({ duplicate: true, inboxId: (first.json as { inboxId: string }).inboxId }));
    await app.settle();
    expect(rowCounts()['inbox file:inbox']).toBe((before['inbox file:inbox'] ?? 0) + 1);
  });

  it('when the same event is redelivered under a new delivery id, then processing it twice changes nothing more', async () => {
    const b = pdEvent('zulip-acknowledged_v3', 'PREPLAY2', 'EVREPLAY2');
    expect((await postPd(b, { 'X-Webhook-Id': 'delivery-a' })).status).toBe(202);
    await app.settle();
    const once = rowCounts();
    expect((await postPd(b, { 'X-Webhook-Id': 'delivery-b' })).status).toBe(202);
    await app.settle();
    const twice = rowCounts();
    expect({ ...twice, 'inbox file:inbox': 0, inbox_processing: 0 }).toEqual({ ...once, 'inbox file:inbox': 0, inbox_processing: 0 });
  });

  it('when lifecycle events arrive out of order, then the result is the same as in order', async () => {
    const summary = async (pdIncident: string) => {
      const details = await allIncidentDetails(app);
      return details.filter((d) => JSON.stringify(d).includes(pdIncident)).map((d) => ({
        status: d.status, startedAt: d.startedAt, endedAt: d.endedAt,
        timeline: d.timeline.map((t) => ({ at: t.at, kind: t.kind, text: t.text.replace(pdIncident, 'P') })),
      }));
    };
    const events = (p: string) => [
      pdEvent('zulip-triggered_v3', p, `${p}-T`), pdEvent('zulip-acknowledged_v3', p, `${p}-A`), pdEvent('zulip-resolved_v3', p, `${p}-R`),
    ];
    for (const b of events('PINORDER')) expect((await postPd(b)).status).toBe(202);
    for (const b of events('PREVERSE').reverse()) expect((await postPd(b)).status).toBe(202);
    await app.settle();
    expect(await summary('PREVERSE')).toEqual(await summary('PINORDER'));
    const dead = await app.api.get('/api/v1/inbox', { params: { state: 'dead', limit: 500 } });
    expect((dead.data.items as Array<{ lastError: string }>).filter((e) => /PINORDER|PREVERSE/.test(e.lastError ?? ''))).toEqual([]);
  });
});

// ------------------------------------------------------- rule regexes in configuration

/** Regexes RE2 (and so Alertmanager) cannot run: refused at start-up, saying why and where. */
const UNSUPPORTED_REGEXES: Array<[string, string, RegExp]> = [
  ['a backreference', '(a+)\\\\1', /backreferences are not supported at character 5/],
  ['a lookahead', 'db(?=-main)', /lookahead and lookbehind are not supported at character 3/],
  ['a negative lookbehind', '(?<!old-)db', /lookahead and lookbehind are not supported at character 1/],
  ['an atomic group', '(?>a+)b', /atomic groups are not supported at character 1/],
  ['a possessive quantifier', 'a++b', /invalid nested repetition operator at character 2/],
  ['a repeat count over 1000', 'a{1001}', /invalid repeat count at character 2/],
  ['a JavaScript-only escape', '\\\\u0041', /invalid escape sequence at character 1/],
  ['a parenthesis that would break out of the anchors', 'a)|(b', /unexpected \)/],
  ['an unclosed group', '(a|b', /missing closing \)/],
];

describe('rule regexes in the configuration', () => {
  describe.each(UNSUPPORTED_REGEXES)('%s', (_name, regex, reason) => {
    const matcher = `instance=~"${regex}"`;

    it('when used in a correlation rule, then start-up is refused naming the rule, the matcher and the reason', () => {
      const load = () => loadConfig({ file: null, env: {}, overrides: { correlation: { rules: [{ name: 'hosts', match: ['severity="critical"', matcher], sameLabels: ['instance'], windowMinutes: 5 }] } } });
      expect(load).toThrow(ConfigError);
      const problems = (() => { try { load(); return []; } catch (err) { return (err as ConfigError).problems; } })();
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain('correlation.rules.0.match.1: ');
      expect(problems[0]).toContain(matcher);
      expect(problems[0]).toMatch(/invalid regular expression \(RE2 syntax, as Alertmanager\)/);
      expect(problems[0]).toMatch(reason);
    });

    it('when used in a catalog match, then the catalog is refused naming the service entry, the matcher and the reason', () => {
      const dir = mkdtempSync(join(tmpdir(), 'debrief-corpus-catalog-'));
      try {
        const file = join(dir, 'services.yaml');
        writeFileSync(file, `services:\n  - name: hosts\n    match: [${JSON.stringify(matcher)}]\n`);
        expect(() => loadServiceCatalog(file)).toThrow(ConfigError);
        expect(() => loadServiceCatalog(file)).toThrow(reason);
        expect(() => loadServiceCatalog(file)).toThrow(`services.0.match.0: "${matcher}"`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  it('when the catastrophic regex is configured, then it loads (RE2 runs it in linear time; the corpus app uses it)', () => {
    expect(() => loadConfig({ file: null, env: {}, overrides: { correlation: { rules: [{ name: 'hosts', match: [CATASTROPHIC_MATCHER], sameLabels: ['instance'], windowMinutes: 5 }] } } })).not.toThrow();
  });
});

// ------------------------------------------------------- sender-controlled Prometheus queries

/**
 * The `g0.expr` of an alert's generatorURL is written by whoever holds a webhook credential.
 * Reading the report six times once ran it six times on the configured Prometheus, whatever it
 * was. Now it runs only when bounded and confirmed as the alert rule's by Prometheus itself, at
 * most once per incident revision, and never against the host the URL names.
 */
const RULE_EXPR = 'sum(rate(checkout_errors_total{job="checkout"}[5m])) > 1';
const HOSTILE_EXPRESSIONS: Array<[string, string, string, { status: string; note?: RegExp; asksRules: boolean }]> = [
  ['every series Prometheus holds', 'EveryName', 'count({__name__=~".+"})', { status: 'refused', note: /could select every series/, asksRules: false }],
  ['every series of any job, over a year', 'AnyJob', 'sum(rate({job=~".*"}[365d]))', { status: 'refused', note: /could select every series/, asksRules: false }],
  ['a bounded query that is no alert rule', 'CheckoutErrors', 'topk(10000, count by (__name__) ({job="checkout"}))', { status: 'refused', note: /no alerting rule "CheckoutErrors" with this expression/, asksRules: true }],
  ['the rule expression under a name that is not the rule', 'NotTheRule', RULE_EXPR, { status: 'refused', note: /no alerting rule "NotTheRule"/, asksRules: true }],
  ['the rule expression, from a link to another host', 'CheckoutErrors', RULE_EXPR, { status: 'ok', asksRules: true }],
];

describe('sender-controlled Prometheus expressions', () => {
  let promApp: TestApp;
  let prometheus: Awaited<ReturnType<typeof startFakePrometheus>>;
  let elsewhere: Awaited<ReturnType<typeof startCaptureReceiver>>;

  beforeAll(async () => {
    prometheus = await startFakePrometheus([{ name: 'CheckoutErrors', query: RULE_EXPR }]);
    elsewhere = await startCaptureReceiver();
    promApp = await startTestApp({ env: { DEBRIEF_PROMETHEUS_URL: prometheus.url } });
  });

  afterAll(async () => {
    await promApp?.stop();
    await prometheus?.close();
    await elsewhere?.close();
  });

  it.each(HOSTILE_EXPRESSIONS.map(([what, ...rest], i) => [what, i, ...rest] as const))(
    'when an alert carries %s, then six report reads run at most one bounded query, and only an expression Prometheus confirms',
    async (_what, i, alertname, expr, expected) => {
      const host = expected.status === 'ok' ? elsewhere.url.replace(/\/hook$/, '') : 'http://prometheus-0:9090';
      const body = alertmanagerBody([{
        labels: { alertname, service: `expr-case-${i}` }, startsAt: new Date(Date.parse(T0) + i * 24 * 3600_000).toISOString(),
        generatorURL: `${host}/graph?g0.expr=${encodeURIComponent(expr)}&g0.tab=1`,
      }]);
      expect((await promApp.postAlertmanager(body)).status).toBe(202);
      await promApp.settle();
      const alert = (await allAlerts(promApp)).find((a) => a.labels.service === `expr-case-${i}`)!;
      const before = { rules: prometheus.requests.filter((r) => r.path === '/api/v1/rules').length, queries: prometheus.queryRanges().length };
      for (let read = 0; read < 6; read++) {
        const res = await promApp.api.get(`/api/v1/incidents/${alert.incidentId}/report.json`);
        expect(res.status).toBe(200);
        expect(res.data.metricSnapshots).toEqual([expect.objectContaining({ rule: alertname, expr, status: expected.status })]);
        if (expected.note) expect(res.data.metricSnapshots[0].note).toMatch(expected.note);
      }
      const rulesAsked = prometheus.requests.filter((r) => r.path === '/api/v1/rules').length - before.rules;
      const queries = prometheus.queryRanges().slice(before.queries);
      expect(rulesAsked).toBe(expected.asksRules ? 1 : 0);
      expect(queries.length).toBe(expected.status === 'ok' ? 1 : 0);
      for (const q of queries) {
        expect(q.params.get('query')).toBe(RULE_EXPR);
        expect(q.params.get('timeout')).toBe('3');
        expect(q.params.get('limit')).toBe('21');
      }
      expect(elsewhere.requests).toEqual([]);
    },
  );
});

// ------------------------------------------------------- outbound paths from inbound ids

/**
 * Ids a signed webhook carries end up in REST paths: PagerDuty incident `..` once made the client
 * request `${apiBase}/` with the REST token. Every id is checked against PagerDuty's id shape
 * (upper-case letters and digits) before a path is built, so none of these reaches the network.
 */
const HOSTILE_PAGERDUTY_IDS: Array<[string, string]> = [
  ['the parent directory', '..'],
  ['the current directory', '.'],
  ['two levels up', '../..'],
  ['an encoded parent directory', '%2e%2e'],
  ['an encoded slash', 'PT4KHLK%2F..%2Fusers'],
  ['a path past a real id', 'PT4KHLK/../../users'],
  ['a query string', 'PT4KHLK?include[]=users'],
  ['a fragment', 'PT4KHLK#x'],
  ['a backslash', '..\\..'],
  ['a full URL', 'https://evil.example/x'],
  ['lower case', 'pt4khlk'],
  ['surrounding space', ' PT4KHLK '],
  ['a newline', 'PT4KHLK\nHost: evil.example'],
  ['a unicode two-dot leader', '\u2025'],
  ['65 characters', 'P'.repeat(65)],
];

describe('outbound paths from inbound ids', () => {
  let receiver: Awaited<ReturnType<typeof startCaptureReceiver>>;
  let pdApp: TestApp;
  const restBase = () => receiver.url.replace(/\/hook$/, '');

  beforeAll(async () => {
    receiver = await startCaptureReceiver([{ status: 404, headers: { 'Content-Type': 'application/json' }, body: '{"error":{"message":"Not Found","code":2100}}' }]);
    pdApp = await startTestApp({
      env: { DEBRIEF_PAGERDUTY_SIGNING_SECRETS: PD_SECRET, DEBRIEF_PAGERDUTY_REST_TOKEN: 'u+corpus-read-only-key', DEBRIEF_PAGERDUTY_API_BASE_URL: restBase() },
      overrides: { security: { failedAuthPerMinute: 1_000_000 } },
    });
  });

  afterAll(async () => {
    await pdApp?.stop();
    await receiver?.close();
  });

  beforeEach(() => {
    receiver.requests.length = 0;
  });

  describe.each(HOSTILE_PAGERDUTY_IDS)('PagerDuty incident id: %s', (_name, id) => {
    it('when the REST client is asked for it, then every call is refused before any request', async () => {
      const client = createPagerDutyRestClient({ token: 'u+corpus-read-only-key', baseUrl: restBase(), maxRetries: 0 });
      for (const call of [
        () => client.getIncident(id), () => client.listIncidentLogEntries(id), () => client.listIncidentNotes(id),
        () => client.listIncidentAlerts(id), () => client.getIncidentTimeline(id, { instance: 'pagerduty', receivedAt: T0 }),
      ]) {
        await expect(call()).rejects.toThrow(InvalidPagerDutyIdError);
      }
      expect(receiver.requests).toEqual([]);
    });

    it('when a signed webhook names it, then it is stored as data and the REST API is never called', async () => {
      const body = pdEvent('zulip-triggered_v3', 'PLACEHOLDER', `EVID-${Buffer.from(id).toString('hex').slice(0, 40)}`).replace(/PLACEHOLDER/g, JSON.stringify(id).slice(1, -1));
      expect(JSON.parse(body).event.data.id).toBe(id);
      const res = await send('post', '/webhooks/pagerduty', body, { 'Content-Type': 'application/json', 'X-PagerDuty-Signature': sign(body) });
      expect(res.status).toBe(202);
      await pdAppSettled();
      const entry = await pdApp.api.get(`/api/v1/inbox/${(res.json as { inboxId: string }).inboxId}`);
      expect(entry.data.state).toBe('done');
      expect(receiver.requests).toEqual([]);
    });

    it('when enrichment notices it, then it logs the refusal and never asks the REST client', () => {
      const asked: string[] = [];
      const warnings: unknown[] = [];
      const logger = { warn: (obj: unknown) => warnings.push(obj), debug: () => undefined } as unknown as ConstructorParameters<typeof PagerDutyEnrichment>[0]['logger'];
      const enrichment = new PagerDutyEnrichment({
        source: { getIncidentTimeline: async (pageId) => { asked.push(pageId); return { page: null as never, events: [] }; } },
        sink: { recordPagingEvents: async () => ({ placed: 0, duplicates: 0, twins: 0 }) },
        logger, concurrency: 1,
      });
      enrichment.notice([{ instance: 'pagerduty', eventId: 'E1', kind: 'triggered', page: { id } } as never]);
      expect(asked).toEqual([]);
      expect(warnings).toEqual([{ instance: 'pagerduty', pageId: id.slice(0, 80) }]);
    });
  });

  it('when the id is a PagerDuty id, then the same paths do reach the REST API (the checks above can fail)', async () => {
    const body = pdEvent('zulip-triggered_v3', 'PCORPUSOK1', 'EVCORPUSOK1');
    const res = await send('post', '/webhooks/pagerduty', body, { 'Content-Type': 'application/json', 'X-PagerDuty-Signature': sign(body) });
    expect(res.status).toBe(202);
    await pdAppSettled();
    expect(receiver.requests.map((r) => r.path.split('?')[0])).toContain('/incidents/PCORPUSOK1');
    expect(receiver.requests.every((r) => r.path.startsWith('/incidents/PCORPUSOK1'))).toBe(true);
  });

  /** Waits until the inbox is processed and the background enrichment it started is over. */
  async function pdAppSettled(): Promise<void> {
    await pdApp.settle();
    await pdApp.debrief.pagerduty.enrichment?.idle();
  }

  async function send(method: string, path: string, body: string, headers: Record<string, string>) {
    const res = await httpRequest(`${pdApp.url}${path}`, { method: method.toUpperCase(), body, headers, timeoutMs: 30_000 });
    return { status: res.status, json: JSON.parse(res.body.toString('utf8')) as unknown };
  }
});
