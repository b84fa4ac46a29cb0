import pino from 'pino';
import { Writable } from 'node:stream';
import { connectorsById } from '../../connectors';
import { ConfigError, loadConfig } from '../../src/config/load-config';
import { REDACTED_PATHS } from '../../src/logger';

/** `trackers.jira` in the one configuration schema: optional, validated, its token never logged. */

const TOKEN = 'jira-api-token-0123456789abcdef';
const load = (overrides: Record<string, unknown>, env: Record<string, string> = {}) =>
  loadConfig({ file: null, env, knownConnectors: [...connectorsById.keys()], overrides });
const cloud = { baseUrl: 'https://acme.atlassian.net/', auth: { email: 'bot@acme.example' }, projectKey: 'OPS' };

describe('Jira tracker configuration', () => {
  it('when nothing is configured, then Jira is off and the jira webhook instance exists without secrets', () => {
    const config = load({});
    expect(config.trackers.jira).toBeUndefined();
    expect(config.instances.find((i) => i.id === 'jira')).toMatchObject({ connector: 'jira', credentials: { webhookSecrets: [], sharedTokens: [] } });
  });

  it('when Jira Cloud is configured with its token from the environment, then the defaults are filled in', () => {
    const config = load({ trackers: { jira: cloud } }, { DEBRIEF_JIRA_TOKEN: TOKEN, DEBRIEF_JIRA_WEBHOOK_SECRETS: 's1,s2' });
    expect(config.trackers.jira).toMatchObject({
      baseUrl: 'https://acme.atlassian.net', deployment: 'cloud', auth: { email: 'bot@acme.example', token: TOKEN }, projectKey: 'OPS',
      issueType: 'Task', labels: [], components: [], assignees: {}, timeoutMs: 10_000, retries: 3,
    });
    expect(config.instances.find((i) => i.id === 'jira')!.credentials).toMatchObject({ webhookSecrets: ['s1', 's2'] });
  });

  it('when Jira Cloud has no email, or a status rule names nothing, then the configuration is refused naming the field', () => {
    const problems = (overrides: Record<string, unknown>): string => {
      try {
        load(overrides, { DEBRIEF_JIRA_TOKEN: TOKEN });
        return '';
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as Error).message;
      }
    };
    expect(problems({ trackers: { jira: { ...cloud, auth: {} } } })).toContain('trackers.jira.auth.email');
    expect(problems({ trackers: { jira: { ...cloud, statusMap: [{ status: 'done' }] } } })).toContain('trackers.jira.statusMap.0');
  });

  it('when the configuration is logged, then the Jira token is not in the line', () => {
    const config = load({ trackers: { jira: cloud } }, { DEBRIEF_JIRA_TOKEN: TOKEN });
    const lines: string[] = [];
    const logger = pino({ level: 'info', redact: REDACTED_PATHS }, new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } }));
    logger.info({ trackers: config.trackers }, 'config');
    logger.info({ jira: config.trackers.jira }, 'jira');
    expect(lines.join('')).not.toContain(TOKEN);
    expect(lines.join('')).toContain('OPS');
  });
});
