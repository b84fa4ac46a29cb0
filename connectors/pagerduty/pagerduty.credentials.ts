import { z } from 'zod';

/**
 * What a `pagerduty` instance is configured with (`instances[].credentials`): the V3 webhook
 * signing secrets. Secrets come from the environment and are never defaulted; an instance
 * without one refuses every request (see `pagerduty.signature.ts`).
 */
export const pagerdutyCredentialsSchema = z.object({
  signingSecrets: z.array(z.string().min(1)).default([])
    .describe('Webhook signing secrets (PagerDuty V3); several are accepted during rotation.'),
});

export type PagerDutyCredentials = z.output<typeof pagerdutyCredentialsSchema>;
