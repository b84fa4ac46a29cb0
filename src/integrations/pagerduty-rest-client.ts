import { PagerDutyRestClient, type PagerDutyCallPolicy, type PagerDutyRestOptions } from '../../connectors/pagerduty/pagerduty.rest';
import { createResilientClient, OutboundError, RetryableError, type ResilientClient } from './resilient-http';

export interface PagerDutyRestClientOptions extends Omit<PagerDutyRestOptions, 'policy'> {
  /**
   * The app's `pagerduty` resilient client (timeouts, retries, circuit, metrics). Without it one
   * is built from `timeoutMs`, `maxRetries`, `backoffBaseMs` and `maxRetryWaitMs`.
   */
  http?: ResilientClient;
  /** Our own retries of a 429 / 5xx / timeout / network error once pdjs gives up. Default 3. */
  maxRetries?: number;
  /** First exponential-backoff step when the response says nothing about when to retry. Default 1 000. */
  backoffBaseMs?: number;
  /** Injected for tests. */
  sleep?: (ms: number) => Promise<void>;
  /** Injected for tests; returns [0, 1). */
  random?: () => number;
}

/**
 * The PagerDuty REST client (connectors/pagerduty/pagerduty.rest.ts) with Debrief's outbound
 * policy: every call runs under a resilient client, so PagerDuty shares timeouts, retries,
 * the circuit breaker and the `debrief_outbound_*` metrics with every other outbound target.
 */
export function createPagerDutyRestClient(options: PagerDutyRestClientOptions): PagerDutyRestClient {
  const { http, maxRetries, backoffBaseMs, sleep, random, ...rest } = options;
  const client = http ?? createResilientClient({
    target: 'pagerduty', timeoutMs: rest.timeoutMs ?? 10_000, retries: maxRetries ?? 3,
    backoff: { initialMs: backoffBaseMs ?? 1_000, maxMs: rest.maxRetryWaitMs ?? 60_000 },
    ...(sleep ? { sleep: (ms: number) => sleep(ms) } : {}),
    ...(random ? { random } : {}),
  });
  return new PagerDutyRestClient({ ...rest, policy: resilientCallPolicy(client) });
}

/** A resilient client as the call policy the PagerDuty connector asks for. */
export function resilientCallPolicy(client: ResilientClient): PagerDutyCallPolicy {
  return {
    call: (attempt, options) => client.call(attempt, options),
    retryable: (message, status, retryAfterMs) => new RetryableError(message, status, retryAfterMs),
    failure: (err) => (err instanceof OutboundError ? { kind: err.kind, attempts: err.attempts, message: err.message } : null),
  };
}
