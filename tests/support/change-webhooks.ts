import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AxiosResponse } from 'axios';
import { signGitHubBody } from '../../connectors/changes/changes.signature';
import type { TestApp } from './test-app';

export const GITHUB_SECRET = 'github-webhook-secret-0123456789';
export const CHANGES_TOKEN = 'changes-token-0123456789';
/** What `startTestApp({ env })` needs for the default `changes` instance. */
export const CHANGES_ENV = { DEBRIEF_CHANGES_GITHUB_SECRETS: `old-secret,${GITHUB_SECRET}`, DEBRIEF_CHANGES_BEARER_TOKENS: CHANGES_TOKEN };

const FIXTURES = join(__dirname, '..', '..', 'connectors', 'changes', 'fixtures');
/** The exact bytes of a fixture of the changes connector. */
export const changeFixture = (name: string): Buffer => readFileSync(join(FIXTURES, `${name}.json`));

/** Posts a body as GitHub does: signed with `secret` (null: unsigned), with its event name and delivery id. */
export function postGitHub(app: TestApp, event: string, body: Buffer | string, options: { secret?: string | null; delivery?: string; signature?: string } = {}): Promise<AxiosResponse> {
  const secret = options.secret === undefined ? GITHUB_SECRET : options.secret;
  const headers: Record<string, string> = { 'Content-Type': 'application/json', 'X-GitHub-Event': event, 'X-GitHub-Delivery': options.delivery ?? `delivery-${Math.random().toString(36).slice(2)}` };
  if (options.signature !== undefined) headers['X-Hub-Signature-256'] = options.signature;
  else if (secret !== null) headers['X-Hub-Signature-256'] = signGitHubBody(body, secret);
  return app.anon.post('/webhooks/changes', body, { headers, transformRequest: [(d) => d] });
}

/** Posts a generic change event with the bearer token. */
export function postChange(app: TestApp, body: unknown, token = CHANGES_TOKEN): Promise<AxiosResponse> {
  return app.anon.post('/webhooks/changes', JSON.stringify(body), { headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, transformRequest: [(d) => d] });
}
