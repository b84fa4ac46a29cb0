import { z } from 'zod';

/**
 * What a `changes` instance is configured with (`instances[].credentials`): the secrets of
 * GitHub webhooks (`X-Hub-Signature-256`) and the bearer tokens of generic change events.
 * Secrets are never defaulted; an instance with neither refuses every request.
 */
export const changesCredentialsSchema = z.object({
  githubSecrets: z.array(z.string().min(1)).default([])
    .describe('GitHub webhook secrets (X-Hub-Signature-256); several are accepted while a secret is rotated.'),
  bearerTokens: z.array(z.string().min(1)).default([])
    .describe('Bearer tokens accepted for generic change events (Argo CD, Flux, CI pipelines, curl).'),
});

export type ChangesCredentials = z.output<typeof changesCredentialsSchema>;
