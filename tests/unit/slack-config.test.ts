import { Writable } from 'node:stream';
import pino from 'pino';
import { connectorsById } from '../../connectors';
import { REDACTED_PATHS } from '../../src/logger';
import { ConfigError, loadConfig } from '../../src/config/load-config';
import { ServiceCatalog } from '../../src/domain/catalog/service-catalog';
import { slackBotChannels, type Notice, type NoticeRouting } from '../../src/domain/notify/people-notices';

const TOKEN = 'xoxb-1234-5678-abcdefghijkl';

const load = (overrides: Record<string, unknown>, env: Record<string, string> = {}) =>
  loadConfig({ file: null, env, knownConnectors: [...connectorsById.keys()], overrides });

function problemsOf(overrides: Record<string, unknown>, env: Record<string, string> = {}): string[] {
  try {
    load(overrides, env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('Slack app configuration', () => {
  it('when nothing is configured, then Slack is off with the documented defaults', () => {
    expect(load({}).slack).toEqual({
      botToken: null, apiUrl: 'https://slack.com/api/', fallbackChannel: null, preselectEmoji: ['white_check_mark', 'pushpin'], importMarginMinutes: 30, maxImportMessages: 2000, timeoutMs: 10_000,
    });
  });

  it('when the token and fallback come from the environment, then they are set', () => {
    const config = load({}, { DEBRIEF_SLACK_BOT_TOKEN: TOKEN, DEBRIEF_SLACK_FALLBACK_CHANNEL: 'C0INCIDENTS', DEBRIEF_SLACK_API_URL: 'http://127.0.0.1:9/api/' });
    expect(config.slack).toMatchObject({ botToken: TOKEN, fallbackChannel: 'C0INCIDENTS', apiUrl: 'http://127.0.0.1:9/api/' });
  });

  it('when a slack-bot target has no bot token, a url or secrets, or a webhook target has a channel, then each is named', () => {
    expect(problemsOf({ notify: { targets: [{ name: 'app', type: 'slack-bot' }] } }).join('\n')).toMatch(/notify\.targets\.0\.type.*slack\.botToken/);
    const problems = problemsOf({
      slack: { botToken: TOKEN },
      notify: { targets: [{ name: 'app', type: 'slack-bot', url: 'https://x.example/' }, { name: 'hook', type: 'slack' }, { name: 'w', type: 'webhook', url: 'https://w.example/', secrets: ['a-notice-secret-0123456789'], channel: 'C1' }] },
    }).join('\n');
    expect(problems).toMatch(/notify\.targets\.0\.url/);
    expect(problems).toMatch(/notify\.targets\.1\.url/);
    expect(problems).toMatch(/notify\.targets\.2\.channel/);
    expect(problemsOf({ slack: { botToken: 'not-a-token' } }).join('\n')).toMatch(/slack\.botToken/);
  });

  it('when the catalog lists teams, then their Slack channels are known and a team listed twice is an error', () => {
    const catalog = ServiceCatalog.fromDocument({ services: [{ name: 'checkout', team: 'payments' }], teams: [{ name: 'payments', slackChannel: 'C0PAYMENTS1' }] });
    expect(catalog.slackChannelOf('payments')).toBe('C0PAYMENTS1');
    expect(catalog.withPagerDutyServices({ P1: 'checkout' }).slackChannelOf('payments')).toBe('C0PAYMENTS1');
    expect(catalog.slackChannelOf('discovery')).toBeNull();
    expect(() => ServiceCatalog.fromDocument({ teams: [{ name: 'a' }, { name: 'a' }] })).toThrow(/teams\.a/);
  });

  it('when a slack-bot notice is routed, then each owning team gets its own channel once, else the target\'s, else the fallback', () => {
    const notice: Notice = { kind: 'postmortem.required', incidentId: 'i', title: 't', severity: null, services: [], version: 0, actor: null };
    const routing: NoticeRouting = { teams: { payments: { targets: ['app'], off: [] }, discovery: { targets: ['app'], off: [] }, dba: { targets: ['app'], off: ['postmortem.required'] } }, publishers: ['app'] };
    const channelOf = (team: string) => (team === 'payments' ? 'C0PAYMENTS1' : null);
    expect(slackBotChannels(notice, { name: 'app' }, ['payments', 'discovery', 'dba'], routing, channelOf, 'C0FALLBACK')).toEqual(['C0PAYMENTS1', 'C0FALLBACK']);
    expect(slackBotChannels(notice, { name: 'app', channel: 'C0OWN' }, ['discovery'], routing, channelOf, 'C0FALLBACK')).toEqual(['C0OWN']);
    expect(slackBotChannels(notice, { name: 'app' }, ['discovery'], routing, channelOf, null)).toEqual([]);
    expect(slackBotChannels({ ...notice, kind: 'report.submitted' }, { name: 'app' }, ['payments'], routing, channelOf, 'C0FALLBACK')).toEqual(['C0FALLBACK']);
  });
});

describe('the Slack bot token in logs', () => {
  it('when something logs an object holding the bot token, then the token is redacted', () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info', redact: REDACTED_PATHS }, new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } }));
    logger.info({ slack: { botToken: TOKEN, fallbackChannel: 'C1' } }, 'config');
    expect(lines.join('')).not.toContain(TOKEN);
    expect(lines.join('')).toContain('C1');
  });
});
