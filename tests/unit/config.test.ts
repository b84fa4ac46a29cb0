import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findInstance } from '../../src/config/config.schema';
import { ConfigError, loadConfig, type LoadConfigOptions } from '../../src/config/load-config';

const KNOWN = ['alertmanager', 'pagerduty'];
const load = (options: LoadConfigOptions = {}) => loadConfig({ file: null, env: {}, knownConnectors: KNOWN, ...options });

/** The problems a ConfigError lists (fails the test when nothing is thrown). */
function problemsOf(options: LoadConfigOptions): string[] {
  try {
    load(options);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems;
    for (const p of problems) expect((err as ConfigError).message).toContain(p);
    return problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  let dir: string;
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'debrief-config-')); });
  afterAll(() => { rmSync(dir, { recursive: true, force: true }); });
  const yamlFile = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it('when nothing is configured, then the documented defaults apply and no secret is invented', () => {
    const config = load();
    expect(config.server).toEqual({ host: '0.0.0.0', port: 8080, webhookBodyLimitBytes: 5 * 1024 * 1024, maxConnections: 4096 });
    expect(config.store.url).toBe('sqlite:./data/debrief.db');
    expect(config.impact.serviceLabels).toEqual(['service', 'app', 'job']);
    expect(config.api.tokens).toEqual([]);
    expect(config.instances.map((i) => i.id)).toEqual(['alertmanager', 'pagerduty']);
    // Each connector's own credential keys, every list empty.
    expect(config.instances.map((i) => [i.id, i.credentials])).toEqual([
      ['alertmanager', { bearerTokens: [], basicAuth: [] }],
      ['pagerduty', { signingSecrets: [] }],
    ]);
  });

  it('when inbox.ingestPriority is not set, then processing gives way 5 times as long; the environment can set it, not below 0', () => {
    expect(load().inbox.ingestPriority).toBe(5);
    expect(load({ env: { DEBRIEF_INBOX_INGEST_PRIORITY: '0' } }).inbox.ingestPriority).toBe(0);
    expect(problemsOf({ env: { DEBRIEF_INBOX_INGEST_PRIORITY: '-1' } }).join('\n')).toMatch(/inbox\.ingestPriority/);
  });

  it('when environment variables are set, then they set their keys', () => {
    const config = load({
      env: {
        DEBRIEF_PORT: '9090',
        DEBRIEF_STORE_URL: 'sqlite:/var/lib/debrief/db.sqlite',
        DEBRIEF_API_TOKENS: 'ci:admin:token-with:colons-0123, grafana:viewer:viewer-token-0123456',
        DEBRIEF_ALERTMANAGER_BEARER_TOKENS: 'am-bearer-token-0123456789',
        DEBRIEF_ALERTMANAGER_BASIC_AUTH: 'am:pass:word-12345',
        DEBRIEF_SERVICE_LABELS: 'app, service',
        DEBRIEF_WEBHOOK_BODY_LIMIT_BYTES: '1048576',
        DEBRIEF_MAX_CONNECTIONS: '500',
      },
    });
    expect(config.server.port).toBe(9090);
    expect(config.server.webhookBodyLimitBytes).toBe(1048576);
    expect(config.server.maxConnections).toBe(500);
    expect(config.store.url).toBe('sqlite:/var/lib/debrief/db.sqlite');
    expect(config.api.tokens).toEqual([
      { name: 'ci', role: 'admin', token: 'token-with:colons-0123' },
      { name: 'grafana', role: 'viewer', token: 'viewer-token-0123456' },
    ]);
    const am = findInstance(config, 'alertmanager', 'alertmanager')!;
    expect(am.credentials.bearerTokens).toEqual(['am-bearer-token-0123456789']);
    expect(am.credentials.basicAuth).toEqual([{ username: 'am', password: 'pass:word-12345' }]);
    expect(config.impact.serviceLabels).toEqual(['app', 'service']);
  });

  it('when a file and the environment both set a key, then the environment wins', () => {
    const file = yamlFile('precedence.yaml', 'server:\n  port: 7000\n  host: 127.0.0.1\n');
    const config = load({ file, env: { DEBRIEF_PORT: '7001' } });
    expect(config.server).toMatchObject({ port: 7001, host: '127.0.0.1' });
  });

  it('when several settings are invalid, then one ConfigError lists every problem with its key path and env name', () => {
    const file = yamlFile('invalid.yaml', [
      'instances:',
      '  - id: splunk',
      '    connector: splunk',
      '',
    ].join('\n'));
    const problems = problemsOf({
      file,
      env: { DEBRIEF_PORT: 'abc', DEBRIEF_STORE_URL: 'ftp://db.example.invalid/debrief', DEBRIEF_API_TOKENS: 'ci:admin:short' },
    });
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^server\.port \(env DEBRIEF_PORT\): /),
      expect.stringMatching(/^store\.url \(env DEBRIEF_STORE_URL\): must start with sqlite: or mongodb:\/\//),
      expect.stringMatching(/^api\.tokens\.0\.token \(env DEBRIEF_API_TOKENS\): API tokens must be at least 16 characters/),
      expect.stringMatching(/^instances\[splunk\]\.connector: unknown connector "splunk" \(known: alertmanager, pagerduty, changes, github-issues, jira\)/),
    ]));
    expect(problems).toHaveLength(4);
  });

  it('when a token has an unknown role or webhook credentials are too short, then the problem names the env variable', () => {
    const problems = problemsOf({
      env: { DEBRIEF_API_TOKENS: 'ci:root:long-enough-token-0123', DEBRIEF_ALERTMANAGER_BEARER_TOKENS: 'short', DEBRIEF_ALERTMANAGER_BASIC_AUTH: 'am:pw' },
    });
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^api\.tokens\.0\.role \(env DEBRIEF_API_TOKENS\): /),
      expect.stringMatching(/^instances\[alertmanager\]\.credentials\.bearerTokens\.0 \(env DEBRIEF_ALERTMANAGER_BEARER_TOKENS\): webhook bearer tokens must be at least 16/),
      expect.stringMatching(/^instances\[alertmanager\]\.credentials\.basicAuth\.0\.password \(env DEBRIEF_ALERTMANAGER_BASIC_AUTH\): /),
    ]));
    expect(problems).toHaveLength(3);
  });

  it('when the same API token is configured twice, then that is a problem', () => {
    const problems = problemsOf({ env: { DEBRIEF_API_TOKENS: 'a:admin:same-token-0123456789,b:viewer:same-token-0123456789' } });
    expect(problems).toEqual([expect.stringContaining('the same token is configured twice')]);
    expect(problems[0]).not.toContain('same-token-0123456789');
  });

  it('when two instances share an id, then that is a problem', () => {
    const file = yamlFile('dup.yaml', 'instances:\n  - { id: am-eu, connector: alertmanager }\n  - { id: am-eu, connector: alertmanager }\n');
    expect(problemsOf({ file })).toEqual(['instances[am-eu]: duplicate instance id']);
  });

  it('when a key is misspelt at any depth, then it is reported instead of silently ignored', () => {
    const file = yamlFile('typo.yaml', 'server:\n  prot: 9090\nservr:\n  port: 1\ninstances:\n  - id: am-eu\n    connector: alertmanager\n    credentails: {}\n');
    const problems = problemsOf({ file });
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^server\.prot: unknown setting/),
      expect.stringMatching(/servr/),
      expect.stringMatching(/^instances\[am-eu\]\.credentails: unknown setting/),
    ]));
    expect(problems).toHaveLength(3);
  });

  it('when an instance has a credential key of another connector, then the problem names its key path and the keys its connector reads', () => {
    const file = yamlFile('foreign-credentials.yaml', [
      'instances:',
      '  - id: am-eu',
      '    connector: alertmanager',
      '    credentials: { signingSecrets: ["pd-secret"] }',
      '  - id: pd-eu',
      '    connector: pagerduty',
      '    credentials: { signingSecrets: [""], bearerTokens: ["am-bearer-token-0123456789"] }',
      '',
    ].join('\n'));
    const problems = problemsOf({ file });
    expect(problems).toEqual(expect.arrayContaining([
      'instances[am-eu].credentials.signingSecrets: unknown setting (known here: bearerTokens, basicAuth)',
      'instances[pd-eu].credentials.bearerTokens: unknown setting (known here: signingSecrets)',
      expect.stringMatching(/^instances\[pd-eu\]\.credentials\.signingSecrets\.0: /),
    ]));
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).not.toContain('pd-secret');
  });

  it('when an instance names no connector, then the problem lists the known ones', () => {
    const file = yamlFile('no-connector.yaml', 'instances:\n  - { id: am-eu }\n');
    expect(problemsOf({ file })).toEqual(['instances[am-eu].connector: name the connector (known: alertmanager, pagerduty, changes, github-issues, jira)']);
  });

  it('when the PagerDuty signing secrets come from the environment, then the pagerduty instance has them in its own credential shape', () => {
    const config = load({ env: { DEBRIEF_PAGERDUTY_SIGNING_SECRETS: 'old-secret, new-secret' } });
    expect(findInstance(config, 'pagerduty', 'pagerduty')!.credentials).toEqual({ signingSecrets: ['old-secret', 'new-secret'] });
    expect(findInstance(config, 'alertmanager', 'alertmanager')!.credentials).toEqual({ bearerTokens: [], basicAuth: [] });
  });

  it('when the change sources\' secrets come from the environment, then the default changes instance has them, and the link window has its default', () => {
    const config = loadConfig({
      file: null, knownConnectors: [...KNOWN, 'changes'],
      env: { DEBRIEF_CHANGES_GITHUB_SECRETS: 'gh-old, gh-new', DEBRIEF_CHANGES_BEARER_TOKENS: 'argo-token-0123456789' },
    });
    expect(findInstance(config, 'changes', 'changes')!.credentials).toEqual({ githubSecrets: ['gh-old', 'gh-new'], bearerTokens: ['argo-token-0123456789'] });
    expect(config.changes.windowMinutes).toBe(120);
    expect(load({ env: { DEBRIEF_CHANGES_WINDOW_MINUTES: '45' } }).changes.windowMinutes).toBe(45);
  });

  it('when a YAML file uses ${VAR}, then the value comes from the environment', () => {
    const file = yamlFile('expand.yaml', [
      'store:',
      '  url: sqlite:${DATA_DIR}/debrief.db',
      'instances:',
      '  - id: am-eu',
      '    connector: alertmanager',
      '    credentials:',
      '      bearerTokens: ["${AM_EU_TOKEN}"]',
      '',
    ].join('\n'));
    const config = load({ file, env: { DATA_DIR: '/srv/debrief', AM_EU_TOKEN: 'am-eu-token-0123456789' } });
    expect(config.store.url).toBe('sqlite:/srv/debrief/debrief.db');
    expect(findInstance(config, 'am-eu', 'alertmanager')!.credentials.bearerTokens).toEqual(['am-eu-token-0123456789']);
    expect(config.instances.map((i) => i.id)).toEqual(['am-eu', 'alertmanager', 'pagerduty']);
  });

  it('when a ${VAR} is not set, then that is a problem naming the key and the variable, listed with the others', () => {
    const file = yamlFile('missing-var.yaml', 'store:\n  url: sqlite:${DATA_DIR}/debrief.db\napi:\n  tokens:\n    - { name: ci, role: admin, token: "${CI_TOKEN}" }\n');
    const problems = problemsOf({ file, env: { DEBRIEF_PORT: 'abc' } });
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^store\.url \(env DATA_DIR\): environment variable DATA_DIR is not set/),
      expect.stringMatching(/CI_TOKEN is not set/),
      expect.stringMatching(/^server\.port \(env DEBRIEF_PORT\)/),
    ]));
  });

  it('when the file is not valid YAML, then the error names the file', () => {
    const file = yamlFile('broken.yaml', 'server: [unclosed\n');
    expect(problemsOf({ file })).toEqual([expect.stringContaining(file)]);
  });
});
