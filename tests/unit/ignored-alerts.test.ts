import { describeIgnored, ignorePolicyOf, ignoreReasonOf, partitionIgnored, DEFAULT_IGNORED_ALERTNAMES } from '../../src/domain/ignored-alerts';
import { loadConfig } from '../../src/config/load-config';

const policy = ignorePolicyOf({ alertnames: DEFAULT_IGNORED_ALERTNAMES, matchers: [['severity="none"', 'env=~"dev|test"'], ['@service="synthetic-probe"']] });
const labels = (l: Record<string, string>) => ({ labels: l });

describe('alerts that never become incidents', () => {
  it.each(['Watchdog', 'InfoInhibitor', 'DeadMansSwitch'])('when the alert is %s, then it is left out as a heartbeat or informational alert', (alertname) => {
    expect(ignoreReasonOf(labels({ alertname, severity: 'none' }), policy, ['service'])).toBe('heartbeat');
  });

  it('when an alert only resembles a heartbeat name, then it is processed (names match exactly)', () => {
    expect(ignoreReasonOf(labels({ alertname: 'WatchdogDown' }), policy, ['service'])).toBeNull();
    expect(ignoreReasonOf(labels({ alertname: 'watchdog' }), policy, ['service'])).toBeNull();
  });

  it('when every matcher of a configured set matches, then it is left out; when one does not, then it is processed', () => {
    expect(ignoreReasonOf(labels({ alertname: 'Noise', severity: 'none', env: 'dev' }), policy, ['service'])).toBe('matcher');
    expect(ignoreReasonOf(labels({ alertname: 'Noise', severity: 'none', env: 'prod' }), policy, ['service'])).toBeNull();
    expect(ignoreReasonOf(labels({ alertname: 'Probe', app: 'synthetic-probe' }), policy, ['service', 'app'])).toBe('matcher');
  });

  it('when observations are partitioned, then order is kept and every left-out alert is described', () => {
    const { kept, ignored } = partitionIgnored([
      labels({ alertname: 'Watchdog' }), labels({ alertname: 'HighErrorRate' }), labels({ alertname: 'Watchdog' }), labels({ alertname: 'Noise', severity: 'none', env: 'test' }),
    ], policy, ['service']);
    expect(kept).toEqual([labels({ alertname: 'HighErrorRate' })]);
    expect(ignored).toEqual([{ alertname: 'Watchdog', reason: 'heartbeat' }, { alertname: 'Watchdog', reason: 'heartbeat' }, { alertname: 'Noise', reason: 'matcher' }]);
    expect(describeIgnored(ignored)).toBe('3 alerts not made incidents (ignore configuration): Watchdog (heartbeat or informational alert) x2, Noise (ignore matcher)');
  });

  it('when nothing is configured, then the three heartbeat names are ignored and no matcher is; an invalid matcher stops start-up naming its path', () => {
    const config = loadConfig({ file: null, env: {}, knownConnectors: ['alertmanager', 'pagerduty'] });
    expect(config.ignore).toEqual({ alertnames: ['Watchdog', 'InfoInhibitor', 'DeadMansSwitch'], matchers: [] });
    expect(() => loadConfig({ file: null, env: {}, knownConnectors: ['alertmanager', 'pagerduty'], overrides: { ignore: { matchers: [['alertname=~"(a"']] } } }))
      .toThrow(/ignore\.matchers\.0\.0/);
    expect(loadConfig({ file: null, env: { DEBRIEF_IGNORE_ALERTNAMES: 'Watchdog, Heartbeat' }, knownConnectors: ['alertmanager', 'pagerduty'] }).ignore.alertnames).toEqual(['Watchdog', 'Heartbeat']);
  });
});
