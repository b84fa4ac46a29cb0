import { alertmanagerFingerprint } from '../../connectors/alertmanager/fingerprint';

/**
 * The storm traffic shape of the ingest benchmark: Alertmanager notification groups whose
 * alerts keep their state from one notification to the next, a share of them resolving in
 * each notification and firing again (a new firing, with a new `startsAt`) in the next one.
 * Pure: times are passed in, nothing is sent. Bodies are rendered from JSON fragments made
 * once per alert series, so the load generator spends its time sending, not serializing.
 */

const SERVICES = ['checkout', 'payments', 'search', 'catalog', 'accounts', 'orders', 'shipping', 'inventory', 'pricing', 'reviews',
  'recommendations', 'notifications', 'auth', 'gateway', 'billing', 'reporting', 'media', 'ledger', 'fraud', 'support'];
const ALERTNAMES = ['HighErrorRate', 'HighLatencyP99', 'PodCrashLooping', 'KubePodNotReady', 'TargetDown', 'DiskWillFillIn4h',
  'CPUThrottlingHigh', 'MemoryPressure', 'ContainerOOMKilled', 'EndpointDown'];
const CLUSTERS = ['prod-eu-1', 'prod-us-1'];

/** Go's zero time: what Alertmanager's webhook sends as `endsAt` of a firing alert. */
export const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/** How long Prometheus would keep a firing alert alive without a re-send (its `endsAt` on the API). */
const API_FIRING_TTL_MS = 5 * 60_000;

/** What one Alertmanager group is about; every alert of the group carries these labels. */
export interface GroupIdentity {
  alertname: string;
  service: string;
  cluster: string;
}

/** One alert of a notification: which series, and its state in this notification. */
export interface AlertInNotification {
  index: number;
  startsAtMs: number;
  /** Null while firing; the resolution time once resolved. */
  endsAtMs: number | null;
}

/**
 * One Alertmanager notification group (group_by: alertname, service, cluster) whose alert
 * series are numbered from 0. Renders the group's notifications as Alertmanager's webhook
 * (`notify/webhook`, version 4) sends them, and the same alerts as `POST /api/v2/alerts` takes them.
 */
export class AlertGroup {
  private readonly webhookFragments: string[] = [];
  private readonly apiFragments: string[] = [];
  private readonly webhookTail: string;

  constructor(readonly identity: GroupIdentity) {
    const { alertname, service, cluster } = identity;
    const groupLabels = { alertname, service, cluster };
    const commonLabels = { alertname, service, cluster, namespace: `${service}-prod`, job: `${service}-api`, prometheus: 'monitoring/k8s' };
    const groupKey = `{}/{severity=~"warning|critical"}:{${Object.entries(groupLabels).map(([k, v]) => `${k}="${v}"`).join(', ')}}`;
    this.webhookTail = `],"groupLabels":${JSON.stringify(groupLabels)},"commonLabels":${JSON.stringify(commonLabels)},"commonAnnotations":{},`
      + `"externalURL":"http://alertmanager-main-0:9093","version":"4","groupKey":${JSON.stringify(groupKey)},"truncatedAlerts":0}`;
  }

  /** Labels of series `index`: one pod of the service; the label set names the group. */
  labels(index: number): Record<string, string> {
    const { alertname, service, cluster } = this.identity;
    return {
      alertname, service, cluster, namespace: `${service}-prod`, pod: `${service}-${index.toString(36)}-7f9c`,
      instance: `10.${(index >> 8) & 255}.${index & 255}.7:8080`, job: `${service}-api`, severity: index % 10 === 0 ? 'critical' : 'warning',
      prometheus: 'monitoring/k8s',
    };
  }

  private fragments(index: number): { webhook: string; api: string } {
    let webhook = this.webhookFragments[index];
    if (webhook === undefined) {
      const labels = this.labels(index);
      const annotations = {
        summary: `${labels.alertname} on ${labels.service}`,
        description: `${labels.alertname} has been active for more than 5 minutes on ${labels.instance} (${labels.cluster}). Check the dashboard and the runbook.`,
        runbook_url: `https://runbooks.example.com/${labels.alertname}`,
      };
      const generatorURL = `http://prometheus-k8s-0:9090/graph?g0.expr=${encodeURIComponent(`${labels.alertname}{service="${labels.service}"} > 0`)}&g0.tab=1`;
      const common = `"labels":${JSON.stringify(labels)},"annotations":${JSON.stringify(annotations)},"generatorURL":${JSON.stringify(generatorURL)}`;
      webhook = `${common},"fingerprint":"${alertmanagerFingerprint(labels)}"}`;
      this.webhookFragments[index] = webhook;
      this.apiFragments[index] = `${common}}`;
    }
    return { webhook, api: this.apiFragments[index]! };
  }

  /** Alertmanager's webhook body for this group with these alerts. */
  webhookBody(alerts: readonly AlertInNotification[]): Buffer {
    const parts: string[] = [];
    let firing = false;
    for (const a of alerts) {
      const resolved = a.endsAtMs !== null;
      firing ||= !resolved;
      parts.push(`{"status":"${resolved ? 'resolved' : 'firing'}","startsAt":"${new Date(a.startsAtMs).toISOString()}","endsAt":"${resolved ? new Date(a.endsAtMs!).toISOString() : GO_ZERO_TIME}",${this.fragments(a.index).webhook}`);
    }
    return Buffer.from(`{"receiver":"debrief","status":"${firing ? 'firing' : 'resolved'}","alerts":[${parts.join(',')}${this.webhookTail}`);
  }

  /**
   * The same alerts as a `POST /api/v2/alerts` body. A firing alert carries an `endsAt` in the
   * future, as Prometheus sends it (so Alertmanager keeps it firing until then); a resolved one
   * its resolution time.
   */
  apiBody(alerts: readonly AlertInNotification[], nowMs: number): Buffer {
    const parts = alerts.map((a) => `{"startsAt":"${new Date(a.startsAtMs).toISOString()}","endsAt":"${new Date(a.endsAtMs ?? nowMs + API_FIRING_TTL_MS).toISOString()}",${this.fragments(a.index).api}`);
    return Buffer.from(`[${parts.join(',')}]`);
  }
}

/** Groups spread over services: `services` services, each with several groups (alert names and clusters). */
export function stormGroupIdentities(groups: number, services = SERVICES.length): GroupIdentity[] {
  return Array.from({ length: groups }, (_, g) => {
    const nameIndex = Math.floor(g / services);
    const alertname = ALERTNAMES[nameIndex % ALERTNAMES.length]! + (nameIndex >= ALERTNAMES.length ? String(Math.floor(nameIndex / ALERTNAMES.length)) : '');
    const service = SERVICES[g % services % SERVICES.length]! + (g % services >= SERVICES.length ? `-${Math.floor((g % services) / SERVICES.length)}` : '');
    return { alertname, service, cluster: CLUSTERS[g % CLUSTERS.length]! };
  });
}

/** What one storm step did to a group's alerts. */
export interface StormStep {
  alerts: AlertInNotification[];
  /** Alerts firing again with a new `startsAt` (each a new firing). */
  refired: number;
  resolved: number;
}

/**
 * The state of one group's alerts across notifications. The first notification has every
 * alert firing. In each later one, the alerts resolved in the previous notification fire
 * again with `startsAt` = now, then `resolveRatio` of the firing alerts resolve (`endsAt` =
 * now), taken in turn from those that did not just fire again, so every alert resolves and
 * fires again over time. Every alert of the group is in every notification.
 */
export class StormGroupState {
  private readonly startsAt: number[];
  private readonly endsAt: Array<number | null>;
  private readonly size: number;
  private cursor = 0;
  private sent: number;

  /**
   * `startsAtMs`: the firing alerts' onsets. A group already notified (`notified`) goes on with
   * its next step at once; a new one first sends every alert firing.
   */
  constructor(startsAtMs: readonly number[], notified = false) {
    this.startsAt = [...startsAtMs];
    this.size = startsAtMs.length;
    this.endsAt = Array.from({ length: this.size }, () => null);
    this.sent = notified ? 1 : 0;
  }

  /** `size` alerts that started a second apart, the last one a second before `firstStartMs`. */
  static starting(size: number, firstStartMs: number): StormGroupState {
    // Distinct onsets, as alerts of one group rarely start in the same second.
    return new StormGroupState(Array.from({ length: size }, (_, i) => firstStartMs - (size - i) * 1000));
  }

  next(nowMs: number, resolveRatio: number): StormStep {
    let refired = 0;
    let resolved = 0;
    if (this.sent++ > 0) {
      const justFired = new Set<number>();
      for (let i = 0; i < this.size; i++) {
        if (this.endsAt[i] !== null) {
          this.startsAt[i] = Math.max(nowMs, this.endsAt[i]! + 1);
          this.endsAt[i] = null;
          justFired.add(i);
          refired++;
        }
      }
      const wanted = Math.min(Math.round(resolveRatio * this.size), this.size - justFired.size);
      for (let looked = 0; resolved < wanted && looked < this.size; looked++) {
        const i = (this.cursor + looked) % this.size;
        if (justFired.has(i)) continue;
        this.endsAt[i] = Math.max(nowMs, this.startsAt[i]! + 1);
        resolved++;
        if (resolved === wanted) this.cursor = (i + 1) % this.size;
      }
    }
    const alerts = this.startsAt.map((startsAtMs, index) => ({ index, startsAtMs, endsAtMs: this.endsAt[index]! }));
    return { alerts, refired, resolved };
  }
}

/** A body ready to send and how many alerts it carries. */
export interface StormBody {
  body: Buffer;
  alerts: number;
}

/** Where a storm sends its bodies: Alertmanager's webhook to a receiver, or Alertmanager's own API. */
export type StormTarget = 'webhook' | 'alertmanager-api';

export interface StormOptions {
  groups: number;
  alertsPerGroup: number;
  resolveRatio: number;
  services?: number;
}

/**
 * The storm: groups sent round-robin, each notification one step of its group's state,
 * rendered for `target` at the time it is asked for (`nowMs`).
 */
export class StormTraffic {
  private readonly groups: Array<{ group: AlertGroup; state: StormGroupState }>;
  private next = 0;
  /** New firings sent so far (first firings and firings again). */
  firings = 0;

  constructor(private readonly options: StormOptions, startMs: number, private readonly target: StormTarget = 'webhook') {
    this.groups = stormGroupIdentities(options.groups, options.services).map((identity) => ({
      group: new AlertGroup(identity), state: StormGroupState.starting(options.alertsPerGroup, startMs),
    }));
  }

  body(nowMs: number): StormBody {
    const first = this.next < this.groups.length;
    const { group, state } = this.groups[this.next++ % this.groups.length]!;
    const step = state.next(nowMs, this.options.resolveRatio);
    this.firings += first ? step.alerts.length : step.refired;
    const body = this.target === 'webhook' ? group.webhookBody(step.alerts) : group.apiBody(step.alerts, nowMs);
    return { body, alerts: step.alerts.length };
  }
}
