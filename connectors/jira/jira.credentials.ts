import { z } from 'zod';

/**
 * What a `jira` instance is configured with (`instances[].credentials`). Jira Cloud admin
 * webhooks and Jira Data Center 10+ sign each body when the webhook has a secret
 * (`X-Hub-Signature: sha256=<hex>`); older Data Center webhooks cannot sign, so a shared token
 * sent as a bearer token or as the password of Basic credentials (a URL with
 * `https://debrief:<token>@host/...` or a proxy adding a header) is accepted instead. Secrets
 * are never defaulted; an instance with neither refuses every request.
 */
export const jiraCredentialsSchema = z.object({
  webhookSecrets: z.array(z.string().min(1)).default([])
    .describe('Secrets of Jira webhooks (X-Hub-Signature, HMAC-SHA256); several are accepted while a secret is rotated.'),
  sharedTokens: z.array(z.string().min(16, 'shared tokens must be at least 16 characters')).default([])
    .describe('For Jira webhooks that cannot sign (Data Center before 10): tokens accepted as `Authorization: Bearer <token>` or as the password of Basic credentials.'),
});

export type JiraCredentials = z.output<typeof jiraCredentialsSchema>;
