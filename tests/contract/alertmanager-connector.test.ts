import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { NormalizeError, type NormalizeContext } from '../../connectors/connector';
import { alertmanagerConnector } from '../../connectors/alertmanager/alertmanager.connector';
import { normalizeAlertmanager } from '../../connectors/alertmanager/alertmanager.normalize';
import { alertmanagerPayloadSchema, type AlertmanagerPayload } from '../../connectors/alertmanager/alertmanager.payload';

const fixturesDir = join(__dirname, '../../connectors/alertmanager/fixtures');
const bodies = readdirSync(fixturesDir)
  .filter((name) => name.endsWith('.json') && !name.endsWith('.expected.json'))
  .sort();
const readJson = (name: string): unknown => JSON.parse(readFileSync(join(fixturesDir, name), 'utf8'));
const expectedName = (body: string): string => body.replace(/\.json$/, '.expected.json');

// The expected files were generated with exactly this context.
const context: NormalizeContext = { instance: 'alertmanager', receivedAt: '2026-11-26T15:00:00.000Z' };

const issuePaths = (body: unknown): string[] => {
  const result = alertmanagerPayloadSchema.safeParse(body);
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join('.'));
};

/** A minimal valid v4 body; each test changes one thing. */
const v4Body = (alerts: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  version: '4',
  groupKey: '{}:{alertname="Test"}',
  status: 'firing',
  receiver: 'debrief',
  groupLabels: { alertname: 'Test' },
  commonLabels: {},
  commonAnnotations: {},
  externalURL: 'http://am:9093',
  alerts,
  ...extra,
});
const alert = (fields: Record<string, unknown> = {}): Record<string, unknown> => ({
  status: 'firing',
  labels: { alertname: 'Test', severity: 'page' },
  annotations: {},
  startsAt: '2026-11-26T14:00:00Z',
  endsAt: '0001-01-01T00:00:00Z',
  generatorURL: '',
  fingerprint: '',
  ...fields,
});
const normalizeBody = (body: unknown) => normalizeAlertmanager(alertmanagerPayloadSchema.parse(body), context);

const deepFreeze = <T>(value: T): T => {
  if (value && typeof value === 'object') {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
};

describe('alertmanager connector', () => {
  it('when the connector is declared, then it is the alertmanager id with the shared schema and normalize', () => {
    expect(alertmanagerConnector.id).toBe('alertmanager');
    expect(alertmanagerConnector.payloadSchema).toBe(alertmanagerPayloadSchema);
    expect(alertmanagerConnector.normalize).toBe(normalizeAlertmanager);
  });

  describe('when a published or captured fixture arrives', () => {
    it('then every fixture has an expected output and every expected output has a fixture', () => {
      const expected = readdirSync(fixturesDir).filter((name) => name.endsWith('.expected.json'));
      expect(bodies.length).toBeGreaterThanOrEqual(16);
      expect(expected.sort()).toEqual(bodies.map(expectedName).sort());
    });

    it.each(bodies)('then %s passes the payload schema', (name) => {
      expect(issuePaths(readJson(name))).toEqual([]);
    });

    it.each(bodies)('then %s normalizes to its expected file', (name) => {
      const payload = alertmanagerPayloadSchema.parse(readJson(name));
      expect(alertmanagerConnector.normalize(payload, context)).toEqual(readJson(expectedName(name)));
    });

    it.each(bodies)('then normalizing %s leaves the payload untouched', (name) => {
      const payload = deepFreeze(alertmanagerPayloadSchema.parse(readJson(name)));
      const before = structuredClone(payload);
      expect(() => normalizeAlertmanager(payload, context)).not.toThrow();
      expect(payload).toEqual(before);
    });
  });

  describe('when the body does not match the schema, then the error names the field', () => {
    it('when alerts is missing, then the path is alerts', () => {
      const { alerts: _omitted, ...body } = v4Body([alert()]);
      expect(issuePaths(body)).toEqual(['alerts']);
    });

    it('when a label value is a number, then the path is alerts.0.labels.<name>', () => {
      expect(issuePaths(v4Body([alert({ labels: { alertname: 'Test', severity: 3 } })]))).toEqual([
        'alerts.0.labels.severity',
      ]);
    });

    it('when an annotation value is null, then the path is alerts.0.annotations.<name>', () => {
      expect(issuePaths(v4Body([alert({ annotations: { summary: null } })]))).toEqual(['alerts.0.annotations.summary']);
    });

    it('when startsAt is missing, then the path is alerts.1.startsAt', () => {
      const { startsAt: _omitted, ...withoutStart } = alert();
      expect(issuePaths(v4Body([alert(), withoutStart]))).toEqual(['alerts.1.startsAt']);
    });

    it('when labels are missing, then the path is alerts.0.labels', () => {
      const { labels: _omitted, ...withoutLabels } = alert();
      expect(issuePaths(v4Body([withoutLabels]))).toEqual(['alerts.0.labels']);
    });
  });

  describe('when a timestamp cannot be understood, then normalize throws a NormalizeError naming the field', () => {
    // The schema refuses these too (so a 400 lists every bad time); normalize must still defend
    // itself against bodies stored before that check existed, so it is called unvalidated here.
    const normalizeBody = (body: unknown) => normalizeAlertmanager(body as AlertmanagerPayload, context);
    it('when the schema sees the same bodies, then it lists every bad time at once', () => {
      const body = v4Body([alert({ startsAt: 'yesterday' }), alert({ startsAt: '' }), alert({ status: 'resolved', endsAt: 'nope' })]);
      expect(issuePaths(body)).toEqual(['alerts.0.startsAt', 'alerts.1.startsAt', 'alerts.2.endsAt']);
    });

    it('when startsAt is not RFC 3339, then the message names alerts.1.startsAt and quotes the value', () => {
      const body = v4Body([alert(), alert({ startsAt: '2026-11-26 14:00:00' })]);
      expect(() => normalizeBody(body)).toThrow(NormalizeError);
      expect(() => normalizeBody(body)).toThrow('alerts.1.startsAt: not an RFC 3339 time: "2026-11-26 14:00:00"');
    });

    it('when endsAt is not RFC 3339, then the message names alerts.0.endsAt', () => {
      expect(() => normalizeBody(v4Body([alert({ status: 'resolved', endsAt: 'yesterday' })]))).toThrow(
        'alerts.0.endsAt: not an RFC 3339 time: "yesterday"',
      );
    });

    it('when startsAt is empty (Grafana OnCall heartbeat), then the message says there is no start time', () => {
      expect(() => normalizeBody(v4Body([alert({ startsAt: '', endsAt: '' })]))).toThrow(
        /^alerts\.0\.startsAt: no start time/,
      );
    });
  });

  describe('when the body carries fields Debrief does not know', () => {
    it('then the schema accepts them at the top level and inside alerts (Grafana OnCall, forks)', () => {
      const body = v4Body([alert({ amixr_demo: true })], { numFiring: 1, numResolved: 0, routeLabels: {} });
      expect(issuePaths(body)).toEqual([]);
      expect(normalizeBody(body).alerts).toHaveLength(1);
    });
  });

  describe('when the sender is an old or partial Alertmanager', () => {
    it('when groupKey is a version "3" number, then sourceGroupKey is its decimal string', () => {
      const result = normalizeBody(v4Body([alert()], { version: '3', groupKey: 1234567890 }));
      expect(result.alerts[0]?.sourceGroupKey).toBe('1234567890');
    });

    it('when groupKey and groupLabels are absent, then sourceGroupKey is null and sourceGroupLabels is empty', () => {
      const { groupKey: _k, groupLabels: _l, ...body } = v4Body([alert()]);
      const [observation] = normalizeBody(body).alerts;
      expect(observation?.sourceGroupKey).toBeNull();
      expect(observation?.sourceGroupLabels).toEqual({});
    });

    it('when fingerprint is empty, then it is computed like Alertmanager and marked computed', () => {
      const [observation] = normalizeBody(v4Body([alert({ labels: { a: 'b' }, fingerprint: '' })])).alerts;
      expect(observation?.fingerprint).toBe('d2b371819297f98a');
      expect(observation?.fingerprintComputed).toBe(true);
    });

    it('when annotations are absent, then they are an empty object', () => {
      const { annotations: _omitted, ...withoutAnnotations } = alert();
      expect(normalizeBody(v4Body([withoutAnnotations])).alerts[0]?.annotations).toEqual({});
    });

    it('when per-alert status is absent and endsAt is before receivedAt, then the alert is resolved at endsAt', () => {
      const { status: _omitted, ...noStatus } = alert({ endsAt: '2026-11-26T14:30:00.5+01:00' });
      const [observation] = normalizeBody(v4Body([noStatus])).alerts;
      expect(observation?.status).toBe('resolved');
      expect(observation?.endsAt).toBe('2026-11-26T13:30:00.500Z');
    });

    it('when per-alert status is absent and endsAt is after receivedAt, then it is firing with no end (a lease is not an end)', () => {
      const { status: _omitted, ...noStatus } = alert({ endsAt: '2026-11-26T15:04:00Z' });
      const [observation] = normalizeBody(v4Body([noStatus])).alerts;
      expect(observation?.status).toBe('firing');
      expect(observation?.endsAt).toBeNull();
    });

    it('when per-alert status is absent and endsAt is zero, then the root status decides and endsAt stays null', () => {
      const { status: _omitted, ...noStatus } = alert();
      const [observation] = normalizeBody(v4Body([noStatus], { status: 'resolved' })).alerts;
      expect(observation?.status).toBe('resolved');
      expect(observation?.endsAt).toBeNull();
    });

    it('when per-alert status says firing but endsAt is in the past, then status wins and endsAt is null', () => {
      const [observation] = normalizeBody(v4Body([alert({ endsAt: '2026-11-26T14:10:00Z' })])).alerts;
      expect(observation?.status).toBe('firing');
      expect(observation?.endsAt).toBeNull();
    });
  });

  describe('when the sender is Grafana', () => {
    it('when version is not "1" but Grafana-only fields are present, then source is grafana', () => {
      const body = v4Body([alert({ silenceURL: '', values: null })], { version: '4' });
      expect(normalizeBody(body).alerts[0]?.source).toBe('grafana');
    });

    // Shaped after grafana/alerting: newTestAlert (labels alertname=TestAlert, instance=Grafana,
    // summary "Notification test") and TestNotifier (groupKey "<name>-<fingerprint>-<unix>").
    const grafanaTest = (groupKey: string, labels: Record<string, string>) =>
      v4Body(
        [
          alert({
            labels,
            annotations: { summary: 'Notification test' },
            startsAt: '2024-09-19T02:31:42.985255201Z',
            fingerprint: '57c6d9296de2ad39',
            silenceURL: 'http://grafana:3000/alerting/silence/new',
            dashboardURL: '',
            panelURL: '',
            values: { A: 1, B: 22 },
            valueString: "[ metric='foo' labels={instance=bar} value=10 ]",
          }),
        ],
        { version: '1', receiver: 'test', groupKey, groupLabels: labels, orgId: 1, state: 'alerting', title: '[FIRING:1] TestAlert Grafana ', message: '' },
      );

    it('when a contact-point test notification arrives, then no alert is produced and the reason says so', () => {
      const result = normalizeBody(grafanaTest('test-57c6d9296de2ad39-1726713102', { alertname: 'TestAlert', instance: 'Grafana' }));
      expect(result.alerts).toEqual([]);
      expect(result.pagingEvents).toEqual([]);
      expect(result.ignoredReason).toMatch(/Grafana contact-point test notification/);
    });

    it('when a test notification has custom labels but the groupKey carries their fingerprint, then it is ignored too', () => {
      const labels = { alertname: 'Watchdog', prometheus: 'monitoring/k8s', severity: 'none' };
      const result = normalizeBody(grafanaTest('webhook-e1749c6acab64267-1726713102', labels));
      expect(result.alerts).toEqual([]);
      expect(result.ignoredReason).not.toBeNull();
    });

    it('when a hand-rolled body uses groupKey "test-group" for a real alert, then the alert is kept', () => {
      const result = normalizeBody(v4Body([alert()], { groupKey: 'test-group' }));
      expect(result.alerts).toHaveLength(1);
      expect(result.ignoredReason).toBeNull();
    });
  });

  it('when the body has no alerts, then nothing is produced and the reason says so', () => {
    const result = normalizeBody(v4Body([]));
    expect(result).toEqual({ alerts: [], pagingEvents: [], ignoredReason: 'The notification carries no alerts.' });
  });

  it('when the schema is exported for OpenAPI, then it converts without transforms, keeps descriptions and allows extra keys', () => {
    const schema = z.toJSONSchema(alertmanagerPayloadSchema, { io: 'input' }) as {
      description?: string;
      required?: string[];
      additionalProperties?: unknown;
      properties: Record<string, { description?: string }>;
    };
    expect(schema.required).toEqual(['alerts']);
    expect(schema.additionalProperties).not.toBe(false);
    expect(schema.description).toMatch(/Alertmanager/);
    expect(schema.properties.groupKey?.description).toMatch(/Opaque key/);
  });
});
