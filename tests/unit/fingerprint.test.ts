import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { alertmanagerFingerprint } from '../../connectors/alertmanager/fingerprint';

interface CapturedRequest {
  json: { alerts: Array<{ labels: Record<string, string>; fingerprint: string }> };
}

const capturedDir = join(__dirname, '../../connectors/alertmanager/fixtures');
const captured = readdirSync(capturedDir).filter((name) => /^captured-\d+\.json$/.test(name));
const capturedAlerts = captured.flatMap((name) => {
  const body = JSON.parse(readFileSync(join(capturedDir, name), 'utf8')) as CapturedRequest['json'];
  return body.alerts.map((alert, index) => ({ where: `${name} alerts.${index}`, ...alert }));
});

describe('alertmanagerFingerprint', () => {
  it('when the captured fixtures are loaded, then there are alerts to check', () => {
    expect(capturedAlerts.length).toBeGreaterThanOrEqual(20);
  });

  it.each(capturedAlerts)(
    'when recomputing $where (sent by a real Alertmanager 0.25), then it equals the sent fingerprint',
    ({ labels, fingerprint }) => {
      expect(alertmanagerFingerprint(labels)).toBe(fingerprint);
    },
  );

  it('when the labels are the Watchdog alert of docs/payloads.md §1.3, then it is e1749c6acab64267', () => {
    expect(alertmanagerFingerprint({ alertname: 'Watchdog', prometheus: 'monitoring/k8s', severity: 'none' })).toBe(
      'e1749c6acab64267',
    );
  });

  it('when the label set is {a="b"}, then it is FNV-1a-64 of "a\\xffb\\xff" (checked with an independent implementation)', () => {
    expect(alertmanagerFingerprint({ a: 'b' })).toBe('d2b371819297f98a');
  });

  it('when the label set is empty, then it is the FNV-1a-64 offset basis, as in Go', () => {
    expect(alertmanagerFingerprint({})).toBe('cbf29ce484222325');
  });

  it('when the same labels come in another order, then the fingerprint is the same', () => {
    expect(alertmanagerFingerprint({ severity: 'none', prometheus: 'monitoring/k8s', alertname: 'Watchdog' })).toBe(
      'e1749c6acab64267',
    );
  });

  it('when a value moves from one label to the next, then the fingerprint changes (separator byte is hashed)', () => {
    expect(alertmanagerFingerprint({ a: 'bc', d: '' })).not.toBe(alertmanagerFingerprint({ a: 'b', d: 'c' }));
  });

  it('when a fingerprint is small, then it is still 16 zero-padded lower-case hex digits', () => {
    expect(alertmanagerFingerprint({ alertname: 'x', job: 'y' })).toMatch(/^[0-9a-f]{16}$/);
  });
});
