import { z } from 'zod';

/**
 * What an `alertmanager` instance is configured with (`instances[].credentials`): what the
 * receiver's `http_config` sends. Secrets come from the environment and are never defaulted;
 * an instance with neither list refuses every request (see `alertmanager.connector.ts`).
 */
export const alertmanagerCredentialsSchema = z.object({
  bearerTokens: z.array(z.string().min(16, 'webhook bearer tokens must be at least 16 characters')).default([])
    .describe('Accepted `Authorization: Bearer` tokens (Alertmanager `http_config.authorization`).'),
  basicAuth: z.array(z.object({
    username: z.string().min(1),
    password: z.string().min(12, 'basic-auth passwords must be at least 12 characters'),
  })).default([])
    .describe('Accepted basic-auth pairs (Alertmanager `http_config.basic_auth`).'),
});

export type AlertmanagerCredentials = z.output<typeof alertmanagerCredentialsSchema>;
