import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NormalizeContext } from '../../connectors/connector';
import { changesConnector } from '../../connectors/changes/changes.connector';
import { changesBodyType, changesPayloadSchema } from '../../connectors/changes/changes.payload';
import { signGitHubBody, verifyGitHubSignature } from '../../connectors/changes/changes.signature';
import { parseAndNormalize } from '../../src/ingest/parse-and-normalize';

const FIXTURES = join(__dirname, '..', '..', 'connectors', 'changes', 'fixtures');
const raw = (name: string): Buffer => readFileSync(join(FIXTURES, name));
const ctx: NormalizeContext = { instance: 'changes', receivedAt: '2026-03-02T12:00:00.000Z' };
const read = (name: string) => parseAndNormalize(changesConnector, raw(name), ctx);
const SECRET = 'It\'s a Secret to Everybody';
const credentials = { githubSecrets: ['old-secret', SECRET], bearerTokens: ['generic-token-0123456789'] };

describe('changes connector: GitHub webhooks (published examples)', () => {
  it('when a deployment_status arrives, then it is one deploy of the repository with its status, author and time', () => {
    const normalized = read('github-docs-deployment_status.json');
    expect(normalized.alerts).toEqual([]);
    expect(normalized.ignoredReason).toBeNull();
    expect(normalized.changes).toEqual([{
      id: 'github:deployment:Codertocat/Hello-World:145988746', instance: 'changes', origin: 'github-deployment', kind: 'deploy',
      service: null, repository: 'Codertocat/Hello-World', environment: 'production', version: 'f95f852',
      summary: 'deploy of Codertocat/Hello-World f95f852 to production', author: 'Codertocat',
      url: 'https://github.com/Codertocat/Hello-World/deployments', at: '2019-05-15T15:20:53.000Z', status: 'success', statusAt: '2019-05-15T15:20:55.000Z',
    }]);
  });

  it('when the deployment itself arrives, then it is the same change (same id), without a status yet', () => {
    const [deployment] = read('github-docs-deployment.json').changes!;
    const [status] = read('github-docs-deployment_status.json').changes!;
    expect(deployment!.id).toBe(status!.id);
    expect(deployment).toMatchObject({ status: null, statusAt: '2019-05-15T15:20:53.000Z', at: status!.at });
  });

  it('when a release is published or the default branch is pushed, then they are lower-weight changes; other pushes and pings are ignored', () => {
    expect(read('github-docs-release-published.json').changes).toEqual([expect.objectContaining({
      id: 'github:release:Codertocat/Hello-World:11248810', origin: 'github-release', kind: 'other', version: '0.0.1', at: '2019-05-15T15:20:53.000Z',
      url: 'https://github.com/Codertocat/Hello-World/releases/tag/0.0.1',
    })]);
    expect(read('github-docs-push-default-branch.json').changes).toEqual([expect.objectContaining({
      origin: 'github-push', version: 'f95f852', summary: 'push to Codertocat/Hello-World master: Update README.md', author: 'Codertocat',
    })]);
    const tag = read('github-docs-push-tag-deleted.json');
    expect(tag.changes).toEqual([]);
    expect(tag.ignoredReason).toMatch(/refs\/tags\/simple-tag/);
    const ping = read('github-docs-ping.json');
    expect(ping.changes).toEqual([]);
    expect(ping.ignoredReason).toMatch(/ping/);
  });

  it('when a GitHub event reports no change (an issue comment), then it is acknowledged and ignored', () => {
    const body = Buffer.from(JSON.stringify({ action: 'created', issue: { number: 1 }, repository: { full_name: 'a/b' }, sender: { login: 'x' } }));
    expect(parseAndNormalize(changesConnector, body, ctx)).toMatchObject({ changes: [], ignoredReason: expect.stringMatching(/no deployment/) });
  });

  it('when a deployment_status misses its deployment id, then the schema names the field', () => {
    const body = JSON.parse(raw('github-docs-deployment_status.json').toString('utf8'));
    delete body.deployment.id;
    const result = changesPayloadSchema.safeParse(body);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join('.'))).toEqual(['deployment.id']);
  });
});

describe('changes connector: X-Hub-Signature-256', () => {
  const body = raw('github-docs-deployment_status.json');
  const request = (headers: Record<string, string | undefined>) => ({ headers: { 'x-github-event': 'deployment_status', ...headers }, rawBody: body });

  it('when the body is signed with any configured secret (rotation), then it is genuine', () => {
    expect(changesConnector.authenticate(request({ 'x-hub-signature-256': signGitHubBody(body, SECRET) }), credentials)).toEqual({ ok: true });
    expect(changesConnector.authenticate(request({ 'x-hub-signature-256': signGitHubBody(body, 'old-secret') }), credentials)).toEqual({ ok: true });
  });

  it('when the signature is missing, wrong, malformed, or over other bytes, then it is refused as missing or invalid', () => {
    expect(changesConnector.authenticate(request({}), credentials)).toMatchObject({ ok: false, reason: 'missing' });
    expect(changesConnector.authenticate(request({ 'x-hub-signature-256': signGitHubBody(body, 'wrong') }), credentials)).toMatchObject({ ok: false, reason: 'invalid' });
    expect(changesConnector.authenticate(request({ 'x-hub-signature-256': 'sha1=abc' }), credentials)).toMatchObject({ ok: false, reason: 'invalid' });
    const tampered = Buffer.concat([body, Buffer.from(' ')]);
    expect(verifyGitHubSignature(tampered, signGitHubBody(body, SECRET), [SECRET])).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('when no GitHub secret is configured, then nothing GitHub sends is trusted', () => {
    expect(changesConnector.authenticate(request({ 'x-hub-signature-256': signGitHubBody(body, SECRET) }), { githubSecrets: [], bearerTokens: ['generic-token-0123456789'] }))
      .toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('when GitHub redelivers, then the delivery id is the same and the inbox keeps one entry', () => {
    const id = changesConnector.deliveryId!({ headers: { 'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958' }, rawBody: body });
    expect(id).toBe('github:72d3162e-cc78-11e3-81ab-4c9367dc0958');
  });
});

describe('changes connector: generic change events', () => {
  const body = raw('generic-argocd-deploy.json');

  it('when a generic event arrives with a bearer token, then it is accepted and read as documented', () => {
    expect(changesConnector.authenticate({ headers: { authorization: 'Bearer generic-token-0123456789' }, rawBody: body }, credentials)).toEqual({ ok: true });
    expect(changesConnector.authenticate({ headers: {}, rawBody: body }, credentials)).toMatchObject({ ok: false, reason: 'missing' });
    expect(changesConnector.authenticate({ headers: { authorization: 'Bearer nope' }, rawBody: body }, credentials)).toMatchObject({ ok: false, reason: 'invalid' });
    expect(read('generic-argocd-deploy.json').changes).toEqual([{
      id: 'generic:changes:argocd:checkout:4a1f9c2', instance: 'changes', origin: 'generic', kind: 'deploy', service: 'checkout', repository: null,
      environment: 'production', version: 'v2.3.1', summary: 'Argo CD synced checkout to v2.3.1', author: 'argocd',
      url: 'https://argocd.example.internal/applications/checkout', at: '2026-03-02T09:46:00.000Z', status: 'success', statusAt: '2026-03-02T09:46:00.000Z',
    }]);
  });

  it('when a generic event has no id, then its content names it, so a resend is the same change; cluster stands in for environment', () => {
    const [first] = read('generic-feature-flag.json').changes!;
    const [again] = read('generic-feature-flag.json').changes!;
    expect(first!.id).toBe(again!.id);
    expect(first).toMatchObject({ kind: 'feature-flag', environment: 'eu-west-1', at: '2026-03-02T09:10:00.000Z', author: 'alice' });
  });

  it('when a generic event misses fields or has a wrong kind, then every failing field is named', () => {
    expect(changesBodyType({ service: 'x' })).toBe('generic');
    const result = changesPayloadSchema.safeParse({ service: 'checkout', kind: 'rollout', time: 'yesterday' });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['kind', 'summary', 'time']);
  });
});

describe('changes connector: the README\'s sender snippets', () => {
  const readme = readFileSync(join(__dirname, '..', '..', 'connectors', 'changes', 'README.md'), 'utf8');

  it('when the GitHub Actions step runs, then the body it sends is a valid generic change event', () => {
    const step = readme.slice(readme.indexOf('### GitHub Actions'));
    const heredoc = /<<EOF\n([\s\S]*?)\n\s*EOF/.exec(step)![1]!;
    const values: Record<string, string> = {
      'github.repository': 'acme/checkout-service', 'github.run_id': '7712', 'github.run_attempt': '1', 'github.sha': '4a1f9c2e0d',
      'github.workflow': 'deploy', 'github.actor': 'alice', 'github.server_url': 'https://github.com', 'job.status': 'success',
    };
    const rendered = heredoc.replace(/\$\{\{ ([\w.]+) \}\}/g, (_, name: string) => values[name]!).replace('$(date -u +%Y-%m-%dT%H:%M:%SZ)', '2026-03-02T09:46:00Z');
    const normalized = parseAndNormalize(changesConnector, Buffer.from(rendered), ctx);
    expect(normalized.changes).toEqual([expect.objectContaining({ id: 'generic:changes:gha:acme/checkout-service:7712:1', service: 'checkout', kind: 'deploy', status: 'success', author: 'alice' })]);
  });

  it('when the Argo CD template is rendered, then the body it sends is a valid generic change event', () => {
    const section = readme.slice(readme.indexOf('### Argo CD notifications'));
    const body = /body: \|\n([\s\S]*?\n\s*\})\n/.exec(section)![1]!;
    const values: Record<string, string> = {
      '.app.metadata.name': 'checkout', '.app.status.operationState.syncResult.revision': '4a1f9c2', '.app.spec.destination.namespace': 'production',
      '.context.argocdUrl': 'https://argocd.example.internal', '.app.status.operationState.finishedAt': '2026-03-02T09:46:00Z', '.app.status.operationState.phase': 'Succeeded',
    };
    const rendered = body.replace(/\{\{([\w.]+)\}\}/g, (_, name: string) => values[name]!);
    expect(parseAndNormalize(changesConnector, Buffer.from(rendered), ctx).changes).toEqual([expect.objectContaining({
      id: 'generic:changes:argocd:checkout:4a1f9c2', service: 'checkout', version: '4a1f9c2', status: 'Succeeded', url: 'https://argocd.example.internal/applications/checkout',
    })]);
  });
});

describe('changes connector: links', () => {
  it('when a GitHub body carries a link that is not http(s), then the change has no link rather than that one', () => {
    const body = JSON.parse(raw('github-docs-deployment_status.json').toString('utf8'));
    body.deployment_status.log_url = 'javascript:alert(1)';
    body.repository.html_url = 'javascript:alert(2)';
    const [change] = parseAndNormalize(changesConnector, Buffer.from(JSON.stringify(body)), ctx).changes!;
    expect(change!.url).toBeNull();
  });
});
