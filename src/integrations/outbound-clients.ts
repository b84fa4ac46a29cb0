import type { Registry } from 'prom-client';
import type { Config } from '../config/config.schema';
import type { TrackerKind } from '../domain/trackers/tracker';
import { createResilientClient, type ResilientClient } from './resilient-http';

/**
 * The app's outbound clients, one per target, so each target has its own circuit and its own
 * `debrief_outbound_*` series: `pagerduty`, `prometheus`, `outbound:<webhook name>`,
 * `alertmanager:<instance>`, `tracker:github`. Built once per app (src/app.ts) with the app's registry; the
 * retry and backoff settings are each integration's own (`outbound.*`, `pagerduty.*`, ...),
 * the circuit settings are shared (`circuitBreaker.*`).
 */
export interface OutboundClients {
  pagerduty: ResilientClient;
  prometheus: ResilientClient;
  /** The client of a configured outbound webhook or notice target (`notify.targets`), by name. */
  outbound(name: string): ResilientClient;
  /** The client of the Alertmanager reconciled for `instance`. */
  alertmanager(instance: string): ResilientClient;
  /**
   * The client of a tracker (`tracker:github`, `tracker:jira`) with that tracker's timeout and
   * retries: the policy owns 429 (Retry-After), 5xx, timeouts and the circuit. One per kind.
   */
  tracker(kind: TrackerKind, settings: TrackerCallSettings): ResilientClient;
  /** Slack's Web API for chat imports (notices use their target's `outbound:<name>` client). */
  slack: ResilientClient;
}

export interface TrackerCallSettings {
  timeoutSeconds: number;
  retries: number;
}

/** A tracker's Retry-After is honoured up to a minute (GitHub's secondary rate limits ask for about that). */
export const TRACKER_BACKOFF = { initialMs: 1_000, maxMs: 60_000 };

/** Slack Web API reads: Retry-After (tier 3 is ~50 calls a minute) honoured up to a minute. */
export const SLACK_RETRIES = 4;
export const SLACK_BACKOFF = { initialMs: 1_000, maxMs: 60_000 };

/** PagerDuty REST: a few retries, Retry-After honoured up to a minute (PagerDuty's rate limit is per minute). */
export const PAGERDUTY_RETRIES = 3;
export const PAGERDUTY_BACKOFF = { initialMs: 1_000, maxMs: 60_000 };

export function createOutboundClients(config: Config, registry: Registry): OutboundClients {
  const circuit = { failureThreshold: config.circuitBreaker.failureThreshold, openMs: config.circuitBreaker.openSeconds * 1000 };
  const pagerduty = createResilientClient({
    target: 'pagerduty', timeoutMs: config.pagerduty.timeoutMs, retries: PAGERDUTY_RETRIES, backoff: PAGERDUTY_BACKOFF, circuit, registry,
  });
  // One quick retry: a report waits for its snapshots, and a missing chart is only a note.
  const prometheus = createResilientClient({
    target: 'prometheus', timeoutMs: config.prometheus.timeoutMs, retries: 1, backoff: { initialMs: 100, maxMs: 500 }, circuit, registry,
  });
  const slack = createResilientClient({
    target: 'slack', timeoutMs: config.slack.timeoutMs, retries: SLACK_RETRIES, backoff: SLACK_BACKOFF, circuit, registry,
  });
  const outbound = new Map<string, ResilientClient>();
  const outboundClient = (name: string): ResilientClient => {
    let client = outbound.get(name);
    if (!client) {
      const outboundSettings = config.outbound;
      client = createResilientClient({
        target: `outbound:${name}`, timeoutMs: outboundSettings.timeoutMs, retries: outboundSettings.maxAttempts - 1,
        backoff: { initialMs: outboundSettings.baseDelayMs, maxMs: outboundSettings.maxDelayMs }, circuit, registry,
      });
      outbound.set(name, client);
    }
    return client;
  };
  const alertmanager = new Map<string, ResilientClient>();
  const alertmanagerClient = (instance: string): ResilientClient => {
    let client = alertmanager.get(instance);
    if (!client) {
      const target = config.reconcile.alertmanager.find((candidate) => candidate.instance === instance);
      // Retries stay well inside one poll interval; a failed poll changes nothing anyway.
      client = createResilientClient({
        target: `alertmanager:${instance}`, timeoutMs: (target?.timeoutSeconds ?? 10) * 1000, retries: 2,
        backoff: { initialMs: 500, maxMs: 5_000 }, circuit, registry,
      });
      alertmanager.set(instance, client);
    }
    return client;
  };
  // Created now, so /metrics shows every configured target's circuit (0 = closed) from the start.
  for (const webhook of config.outbound.webhooks) outboundClient(webhook.name);
  for (const target of config.notify.targets) outboundClient(target.name);
  for (const target of config.reconcile.alertmanager) alertmanagerClient(target.instance);
  const trackers = new Map<TrackerKind, ResilientClient>();
  const trackerClient = (kind: TrackerKind, settings: TrackerCallSettings): ResilientClient => {
    let client = trackers.get(kind);
    if (!client) {
      client = createResilientClient({
        target: `tracker:${kind}`, timeoutMs: settings.timeoutSeconds * 1000, retries: settings.retries, backoff: TRACKER_BACKOFF, circuit, registry,
      });
      trackers.set(kind, client);
    }
    return client;
  };
  if (config.trackers.github) trackerClient('github', config.trackers.github);
  if (config.trackers.jira) trackerClient('jira', { timeoutSeconds: config.trackers.jira.timeoutMs / 1000, retries: config.trackers.jira.retries });
  return { pagerduty, prometheus, outbound: outboundClient, alertmanager: alertmanagerClient, tracker: trackerClient, slack };
}
