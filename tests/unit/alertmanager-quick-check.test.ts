import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { alertmanagerPayloadSchema } from '../../connectors/alertmanager/alertmanager.payload';
import { quickAcceptAlertmanager } from '../../connectors/alertmanager/alertmanager.quick-check';

// The quick check lets bodies skip the zod schema on the webhook path; it must never accept
// a body the schema refuses (it may refuse more: those bodies then go through the schema).
const FIXTURES = join(__dirname, '../../connectors/alertmanager/fixtures');
const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith('.json') && !f.endsWith('.expected.json'))
  .map((f) => [f, JSON.parse(readFileSync(join(FIXTURES, f), 'utf8')) as Record<string, unknown>] as const);

const alert = () => ({ status: 'firing', labels: { alertname: 'A', service: 'api' }, annotations: { summary: 's' }, startsAt: '2026-11-26T12:00:00.123456789Z', endsAt: '0001-01-01T00:00:00Z', fingerprint: 'abc' });
const body = (patch: (b: Record<string, unknown> & { alerts: Array<Record<string, unknown>> }) => void) => {
  const b = { version: '4', groupKey: '{}:{}', status: 'firing', receiver: 'r', groupLabels: {}, commonLabels: {}, commonAnnotations: {}, externalURL: 'http://am', alerts: [alert()] };
  patch(b);
  return b;
};

const broken: Array<[string, unknown]> = [
  ['not an object', [1, 2]],
  ['alerts missing', body((b) => { delete (b as Record<string, unknown>).alerts; })],
  ['alerts not an array', body((b) => { (b as Record<string, unknown>).alerts = {}; })],
  ['a label value that is a number', body((b) => { b.alerts[0]!.labels = { alertname: 1 }; })],
  ['labels missing', body((b) => { delete b.alerts[0]!.labels; })],
  ['labels an array', body((b) => { b.alerts[0]!.labels = ['a']; })],
  ['startsAt missing', body((b) => { delete b.alerts[0]!.startsAt; })],
  ['startsAt the zero time', body((b) => { b.alerts[0]!.startsAt = '0001-01-01T00:00:00Z'; })],
  ['startsAt not RFC 3339', body((b) => { b.alerts[0]!.startsAt = '2026-11-26 12:00'; })],
  ['endsAt not RFC 3339', body((b) => { b.alerts[0]!.endsAt = 'yesterday'; })],
  ['an unknown status', body((b) => { b.alerts[0]!.status = 'pending'; })],
  ['a root status that is unknown', body((b) => { b.status = 'ok'; })],
  ['groupKey an object', body((b) => { b.groupKey = {}; })],
  ['truncatedAlerts negative', body((b) => { b.truncatedAlerts = -1; })],
  ['orgId fractional', body((b) => { b.alerts[0]!.orgId = 1.5; })],
  ['values holding a string', body((b) => { b.alerts[0]!.values = { A: '1' }; })],
  ['an annotation that is null', body((b) => { b.alerts[0]!.annotations = { summary: null }; })],
  ['commonLabels holding an object', body((b) => { b.commonLabels = { a: {} }; })],
  ['generatorURL a number', body((b) => { b.alerts[0]!.generatorURL = 5; })],
  ['an alert that is a string', body((b) => { (b.alerts as unknown[]).push('x'); })],
];

describe('alertmanager quick check', () => {
  it.each(fixtures)('when the captured body %s is checked, then the quick check and the schema agree it is valid', (_name, json) => {
    expect(alertmanagerPayloadSchema.safeParse(json).success).toBe(true);
    expect(quickAcceptAlertmanager(json)).toBe(true);
  });

  it('when a well-formed body with Grafana fields is checked, then it is accepted without the schema', () => {
    const json = body((b) => { b.version = '1'; b.orgId = 1; b.alerts[0]!.values = { A: 1.5 }; b.alerts[0]!.valueString = ''; b.truncatedAlerts = 0; });
    expect(alertmanagerPayloadSchema.safeParse(json).success).toBe(true);
    expect(quickAcceptAlertmanager(json)).toBe(true);
  });

  it.each(broken)('when a body has %s, then the schema refuses it and the quick check does not accept it', (_name, json) => {
    expect(alertmanagerPayloadSchema.safeParse(json).success).toBe(false);
    expect(quickAcceptAlertmanager(json)).toBe(false);
  });
});
