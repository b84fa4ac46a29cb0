import { createHash } from 'node:crypto';
import type { Change } from '../../src/domain/changes/change';
import type { NormalizeContext, Normalized } from '../connector';
import { parseRfc3339 } from '../shared/rfc3339';
import type {
  ChangesPayload, GenericChangeEvent, GitHubDeploymentEvent, GitHubDeploymentStatusEvent, GitHubPushEvent, GitHubReleaseEvent,
} from './changes.payload';

/**
 * One validated body -> the changes it reports. Pure: no clock, no I/O. A body that reports no
 * change Debrief uses (a ping, a push to another branch, an edited release) carries its
 * `ignoredReason`, so the sender gets 202 and nothing is recorded.
 */
export function normalizeChanges(payload: ChangesPayload, context: NormalizeContext): Normalized {
  const none = (ignoredReason: string): Normalized => ({ alerts: [], pagingEvents: [], changes: [], ignoredReason });
  const some = (change: Change): Normalized => ({ alerts: [], pagingEvents: [], changes: [change], ignoredReason: null });
  switch (payload.type) {
    case 'ping': return none('GitHub ping: the webhook is set up');
    case 'github-other': return none('GitHub event that reports no deployment, release or push');
    case 'deployment_status': return some(fromDeploymentStatus(payload.event, context));
    case 'deployment': return some(fromDeployment(payload.event, context));
    case 'release': {
      const change = fromRelease(payload.event, context);
      return change ? some(change) : none(`GitHub release ${payload.event.action} (only published releases are changes)`);
    }
    case 'push': {
      const change = fromPush(payload.event, context);
      return change ? some(change) : none(`GitHub push to ${payload.event.ref} (only pushes to the default branch are changes)`);
    }
    case 'generic': return some(fromGeneric(payload.event, context));
  }
}

/** UTC ISO with milliseconds; the schema has already checked the text. */
const iso = (text: string): string => {
  const parsed = parseRfc3339(text);
  return parsed.ok && parsed.iso ? parsed.iso : new Date(text).toISOString();
};

const short = (sha: string) => sha.slice(0, 7);
const firstLine = (text: string) => text.split('\n')[0]!.trim();
const nonEmpty = (text: string | null | undefined): string | null => (text && text.trim() !== '' ? text.trim() : null);
/** A link is kept only when it is http(s): it is shown as a link on pages and in reports. */
const httpUrl = (text: string | null | undefined): string | null => {
  const url = nonEmpty(text);
  return url && /^https?:\/\//i.test(url) ? url : null;
};

function deploymentBase(event: GitHubDeploymentEvent, context: NormalizeContext): Change {
  const { deployment, repository } = event;
  const repo = repository.full_name;
  // A branch deploy says little by its name: the commit says what runs. A tag says it itself.
  const branchLike = deployment.ref === repository.default_branch || /^[0-9a-f]{7,40}$/i.test(deployment.ref);
  const version = branchLike ? short(deployment.sha) : deployment.ref;
  const environment = deployment.environment;
  return {
    id: `github:deployment:${repo}:${deployment.id}`,
    instance: context.instance,
    origin: 'github-deployment',
    kind: 'deploy',
    service: null,
    repository: repo,
    environment,
    version,
    summary: nonEmpty(deployment.description) ?? `deploy of ${repo} ${version} to ${environment}`,
    author: deployment.creator?.login ?? event.sender.login,
    url: httpUrl(repository.html_url) ? `${repository.html_url}/deployments` : null,
    at: iso(deployment.created_at),
    status: null,
    statusAt: iso(deployment.created_at),
  };
}

function fromDeployment(event: GitHubDeploymentEvent, context: NormalizeContext): Change {
  return deploymentBase(event, context);
}

function fromDeploymentStatus(event: GitHubDeploymentStatusEvent, context: NormalizeContext): Change {
  const base = deploymentBase(event, context);
  const status = event.deployment_status;
  return {
    ...base,
    environment: nonEmpty(status.environment) ?? base.environment,
    url: httpUrl(status.log_url) ?? httpUrl(status.target_url) ?? base.url,
    status: status.state,
    statusAt: iso(status.updated_at ?? status.created_at),
  };
}

function fromRelease(event: GitHubReleaseEvent, context: NormalizeContext): Change | null {
  const { release, repository } = event;
  if ((event.action !== 'published' && event.action !== 'released') || release.draft) return null;
  const repo = repository.full_name;
  const at = iso(release.published_at ?? release.created_at);
  return {
    id: `github:release:${repo}:${release.id}`,
    instance: context.instance,
    origin: 'github-release',
    kind: 'other',
    service: null,
    repository: repo,
    environment: null,
    version: release.tag_name,
    summary: `release ${nonEmpty(release.name) ?? release.tag_name} of ${repo} published${release.prerelease ? ' (pre-release)' : ''}`,
    author: release.author?.login ?? event.sender.login,
    url: httpUrl(release.html_url),
    at,
    status: 'published',
    statusAt: at,
  };
}

function fromPush(event: GitHubPushEvent, context: NormalizeContext): Change | null {
  const { repository, head_commit: head } = event;
  const branch = repository.default_branch;
  if (!branch || event.ref !== `refs/heads/${branch}` || event.deleted || !head) return null;
  const repo = repository.full_name;
  const at = iso(head.timestamp);
  return {
    id: `github:push:${repo}:${event.after}`,
    instance: context.instance,
    origin: 'github-push',
    kind: 'other',
    service: null,
    repository: repo,
    environment: null,
    version: short(event.after),
    summary: `push to ${repo} ${branch}: ${firstLine(head.message)}`,
    author: head.author?.username ?? head.author?.name ?? event.pusher?.name ?? event.sender.login,
    url: httpUrl(head.url) ?? httpUrl(event.compare),
    at,
    status: null,
    statusAt: at,
  };
}

function fromGeneric(event: GenericChangeEvent, context: NormalizeContext): Change {
  const at = iso(event.time);
  // Without an id, the same report sent twice is still one change: its content is its identity.
  const key = event.id ?? createHash('sha256').update(JSON.stringify([event.service, event.kind, event.version ?? null, at, event.summary])).digest('hex').slice(0, 32);
  return {
    id: `generic:${context.instance}:${key}`,
    instance: context.instance,
    origin: 'generic',
    kind: event.kind,
    service: event.service,
    repository: null,
    environment: event.environment ?? event.cluster ?? null,
    version: event.version ?? null,
    summary: event.summary,
    author: event.author ?? null,
    url: event.url ?? null,
    at,
    status: event.status ?? null,
    statusAt: at,
  };
}
