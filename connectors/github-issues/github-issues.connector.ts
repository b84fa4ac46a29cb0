import type { AuthOutcome, Connector, InboundRequest } from '../connector';
import { GITHUB_DELIVERY_HEADER } from '../changes/changes.connector';
import { GITHUB_SIGNATURE_HEADER, verifyGitHubSignature } from '../changes/changes.signature';
import { githubIssuesCredentialsSchema, type GitHubIssuesCredentials } from './github-issues.credentials';
import { normalizeGitHubIssues } from './github-issues.normalize';
import { githubIssuesPayloadSchema, type GitHubIssuesPayload } from './github-issues.payload';

/**
 * GitHub `issues` webhooks (signed with `X-Hub-Signature-256`): the state of the issues Debrief
 * made for action items flows back to those items. See `README.md` beside this file.
 */
export const githubIssuesConnector: Connector<GitHubIssuesPayload, GitHubIssuesCredentials> = {
  id: 'github-issues',
  displayName: 'GitHub Issues (action items in the tracker)',
  payloadSchema: githubIssuesPayloadSchema,
  credentialsSchema: githubIssuesCredentialsSchema,

  authenticate(request: InboundRequest, credentials: GitHubIssuesCredentials): AuthOutcome {
    return verifyGitHubSignature(request.rawBody, request.headers[GITHUB_SIGNATURE_HEADER], credentials.githubSecrets);
  },

  normalize: normalizeGitHubIssues,

  /** GitHub's id of one delivery, repeated when it is redelivered from the webhook's settings page. */
  deliveryId(request: InboundRequest): string | null {
    const id = request.headers[GITHUB_DELIVERY_HEADER]?.trim();
    return id ? `github:${id}` : null;
  },
};
