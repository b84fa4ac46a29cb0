import { connectorsById } from '../../connectors';
import { ConfigError, loadConfig } from '../../src/config/load-config';

const load = (env: Record<string, string>) => loadConfig({ file: null, env, knownConnectors: [...connectorsById.keys()] });
const problems = (env: Record<string, string>): string[] => {
  try {
    load(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
};

describe('config: prometheus, outbound webhooks, status page', () => {
  it('when nothing is set, then snapshots are off, no webhook is notified and the status page has a default title', () => {
    const c = load({});
    expect(c.prometheus).toEqual({ baseUrl: null, timeoutMs: 3000, marginMinutes: 15, maxRules: 8, maxSeries: 20, onlyRuleExpressions: true, refreshSeconds: 300 });
    expect(c.outbound.webhooks).toEqual([]);
    expect(c.status).toEqual({ title: 'Service status', publicUrl: null });
  });

  it('when webhooks come from DEBRIEF_OUTBOUND_WEBHOOKS, then each gets its name, URL, secret and audience (internal by default)', () => {
    const c = load({ DEBRIEF_OUTBOUND_WEBHOOKS: JSON.stringify([{ name: 'chat', url: 'https://chat.example/hook', secret: 's'.repeat(16) }]), DEBRIEF_PROMETHEUS_URL: 'http://prometheus:9090' });
    expect(c.outbound.webhooks).toEqual([{ name: 'chat', url: 'https://chat.example/hook', secret: 's'.repeat(16), audience: 'internal' }]);
    expect(c.prometheus.baseUrl).toBe('http://prometheus:9090');
  });

  it('when a webhook has a short secret, a non-http URL, or the variable is not JSON, then start-up lists each problem with its env name', () => {
    expect(problems({ DEBRIEF_OUTBOUND_WEBHOOKS: JSON.stringify([{ name: 'chat', url: 'javascript:alert(1)', secret: 'short' }]) })).toEqual([
      expect.stringMatching(/^outbound\.webhooks\.0\.url \(env DEBRIEF_OUTBOUND_WEBHOOKS\): /),
      'outbound.webhooks.0.secret (env DEBRIEF_OUTBOUND_WEBHOOKS): outbound webhook secrets must be at least 16 characters',
    ]);
    expect(problems({ DEBRIEF_OUTBOUND_WEBHOOKS: 'not json' })).toEqual([expect.stringMatching(/^outbound\.webhooks \(env DEBRIEF_OUTBOUND_WEBHOOKS\): /)]);
    expect(problems({ DEBRIEF_PROMETHEUS_URL: 'ftp://prometheus' })).toEqual([expect.stringMatching(/^prometheus\.baseUrl \(env DEBRIEF_PROMETHEUS_URL\): /)]);
  });
});
