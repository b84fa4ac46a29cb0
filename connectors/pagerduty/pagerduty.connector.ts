import type { AuthOutcome, Connector, InboundRequest } from '../connector';
import { pagerdutyCredentialsSchema, type PagerDutyCredentials } from './pagerduty.credentials';
import { detectLegacyPagerDuty, pagerdutyPayloadSchema, type PagerDutyPayload } from './pagerduty.payload';
import { normalizePagerDuty } from './pagerduty.normalize';
import { PAGERDUTY_SIGNATURE_HEADER, verifyPagerDutySignature } from './pagerduty.signature';

/** Header PagerDuty repeats on every retry of the same webhook (docs `02-Behavior.md`). */
export const PAGERDUTY_DELIVERY_ID_HEADER = 'x-webhook-id';

/**
 * PagerDuty Webhooks V3: signed incident lifecycle events (the human half of the timeline).
 *
 * Route notes:
 * - Legacy V1/V2 bodies are refused through `rejectPayload` (400 with the explanation); being
 *   unsigned, they usually stop earlier, at `authenticate`, which then gives the same explanation.
 * - Answer 2xx for bodies that normalize to `ignoredReason` (ping, service.*, unknown types):
 *   rejections count towards PagerDuty disabling the subscription.
 * - Signature failures are 4xx (never 5xx), so PagerDuty does not retry forged requests.
 */
export const pagerdutyConnector: Connector<PagerDutyPayload, PagerDutyCredentials> = {
  id: 'pagerduty',
  displayName: 'PagerDuty',
  payloadSchema: pagerdutyPayloadSchema,
  credentialsSchema: pagerdutyCredentialsSchema,

  authenticate(request: InboundRequest, credentials: PagerDutyCredentials): AuthOutcome {
    const outcome = verifyPagerDutySignature(
      request.rawBody,
      request.headers[PAGERDUTY_SIGNATURE_HEADER],
      credentials.signingSecrets,
    );
    if (!outcome.ok && outcome.reason === 'missing') {
      // V1/V2 webhooks are unsigned, so they stop here, before the route's legacy check:
      // give them the explanation instead of a bare "missing signature".
      const legacy = detectLegacyPagerDuty(parseJsonOrNull(request.rawBody));
      if (legacy !== null) return { ok: false, reason: 'missing', message: legacy };
    }
    return outcome;
  },

  normalize: normalizePagerDuty,

  rejectPayload: detectLegacyPagerDuty,

  // PagerDuty disables a subscription after repeated failed deliveries: keep an odd body as a
  // dead letter (202) rather than refusing it and losing every later event.
  keepUnprocessable: true,

  // Only the header: event.id is deduplicated later by the store, per paging event.
  deliveryId(request: InboundRequest): string | null {
    const id = request.headers[PAGERDUTY_DELIVERY_ID_HEADER]?.trim();
    return id ? id : null;
  },
};

function parseJsonOrNull(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    return null;
  }
}
