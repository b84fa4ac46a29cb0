import { z } from 'zod';

/**
 * What a `github-issues` instance is configured with (`instances[].credentials`): the secrets
 * of the repository's (or organisation's) webhook. Never defaulted to a value; without any,
 * every request is refused.
 */
export const githubIssuesCredentialsSchema = z.object({
  githubSecrets: z.array(z.string().min(1)).default([])
    .describe('GitHub webhook secrets (X-Hub-Signature-256); several are accepted while a secret is rotated.'),
});

export type GitHubIssuesCredentials = z.output<typeof githubIssuesCredentialsSchema>;
