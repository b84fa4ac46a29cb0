import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { connectorsById } from '../../connectors';
import { ConfigError, loadConfig } from '../../src/config/load-config';

const load = (notify: Record<string, unknown>, outbound: Record<string, unknown> = {}) =>
  loadConfig({ file: null, env: {}, knownConnectors: [...connectorsById.keys()], overrides: { notify, outbound } });

function problemsOf(notify: Record<string, unknown>, outbound: Record<string, unknown> = {}): string[] {
  try {
    load(notify, outbound);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

const SLACK = { name: 'payments-slack', type: 'slack', url: 'https://hooks.slack.com/services/T0/B0/x' };
const HOOK = { name: 'audit', type: 'webhook', url: 'https://audit.example/hook', secrets: ['a-notice-secret-0123456789'] };

describe('notify configuration', () => {
  it('when nothing is configured, then nobody is told and the documented defaults apply', () => {
    expect(load({}).notify).toEqual({ targets: [], teams: {}, publishers: [], draftWaitingDays: 3, checkIntervalSeconds: 300, lookbackDays: 30 });
  });

  it('when config/debrief.example.yaml is loaded, then its notify part is valid and is the defaults', () => {
    const doc = parseYaml(readFileSync(join(__dirname, '../../config/debrief.example.yaml'), 'utf8')) as Record<string, Record<string, unknown>>;
    expect(load(doc.notify!).notify).toEqual(load({}).notify);
  });

  it('when teams and publishers name declared targets, then it loads with kinds switched off per team', () => {
    const config = load({ targets: [SLACK, HOOK], teams: { payments: { targets: ['payments-slack', 'audit'], off: ['draft.waiting'] } }, publishers: ['audit'] });
    expect(config.notify.teams.payments).toEqual({ targets: ['payments-slack', 'audit'], off: ['draft.waiting'] });
  });

  it('when a webhook target is unsigned, a Slack one signed or a kind misspelt, then each is a problem by path', () => {
    const problems = problemsOf({
      targets: [SLACK, SLACK, { ...HOOK, secrets: [] }, { ...SLACK, name: 'signed-slack', secrets: ['a-notice-secret-0123456789'] }, { ...HOOK, name: 'chat' }],
      teams: { payments: { targets: ['nowhere'], off: ['draft.forgotten'] } },
      publishers: ['missing'],
    }, { webhooks: [{ name: 'chat', url: 'https://chat.example/hook', secret: 'chat-secret-0123456789' }] });
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^notify\.targets\.2\.secrets.*at least one secret/),
      expect.stringMatching(/^notify\.targets\.3\.secrets.*not signed/),
      expect.stringMatching(/^notify\.teams\.payments\.off\.0/),
    ]));
  });

  it('when each target is valid but a name is declared twice, unknown, or also an outbound webhook\'s, then that is reported', () => {
    expect(problemsOf({ targets: [SLACK, SLACK] })).toEqual([expect.stringMatching(/^notify\.targets\.1\.name.*declared twice/)]);
    expect(problemsOf({ targets: [SLACK], teams: { payments: { targets: ['nowhere'] } }, publishers: ['missing'] })).toEqual(expect.arrayContaining([
      expect.stringMatching(/^notify\.teams\.payments\.targets\.0.*no target named "nowhere"/),
      expect.stringMatching(/^notify\.publishers\.0.*no target named "missing"/),
    ]));
    expect(problemsOf({ targets: [{ ...HOOK, name: 'chat' }] }, { webhooks: [{ name: 'chat', url: 'https://chat.example/hook', secret: 'chat-secret-0123456789' }] }))
      .toEqual([expect.stringMatching(/^notify\.targets\.0\.name.*also an outbound webhook/)]);
  });
});
