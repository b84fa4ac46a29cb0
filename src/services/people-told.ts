import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Incident } from '../domain/incident';
import {
  noticeKey, noticeTargets, reportPageUrl, slackBotChannels, slackMessage, webhookNotice, type Notice, type NoticeRouting,
} from '../domain/notify/people-notices';
import type { OutboundNotifier, PeopleTarget } from '../integrations/outbound-notifier';
import type { ReportStore } from '../store/report-store';
import type { Store } from '../store/store';
import type { ReportService, ReportTransition } from './report-service';

export interface PeopleToldOptions {
  notifier: OutboundNotifier;
  targets: readonly PeopleTarget[];
  routing: NoticeRouting;
  /** Owning teams of services, from the catalog (services without a team are left out). */
  teamsOf: (services: readonly string[]) => string[];
  publicUrl: string | null;
  store: Store;
  reports: ReportService;
  reportStore: ReportStore;
  clock: () => Date;
  logger: Logger;
  draftWaitingDays: number;
  lookbackDays: number;
  /** `slack-bot` targets: a team's Slack channel from the catalog, and where to post without one. */
  slackChannelOf?: (team: string) => string | null;
  slackFallbackChannel?: string | null;
}

const DAY_MS = 86_400_000;
const PAGE = 200;

/**
 * Tells people: turns workflow transitions and periodic checks into notices, one durable
 * delivery per target through the outbound notifier. Every delivery id is derived from the
 * notice's subject and kind and the target, so running a check again (every interval, after a
 * restart) records nothing twice: one notice per item per kind.
 */
export class PeopleTold {
  private timer: NodeJS.Timeout | null = null;
  /** Checks run one after another; `busy` keeps the timer from queueing them up. */
  private chain: Promise<void> = Promise.resolve();
  private busy = 0;

  constructor(private readonly options: PeopleToldOptions) {}

  get enabled(): boolean {
    return this.options.targets.length > 0;
  }

  /** Submitted for review and published tell people at once. */
  async onTransition(transition: ReportTransition): Promise<void> {
    if (transition.to !== 'in_review' && transition.to !== 'published') return;
    await this.tell({
      ...about(transition.incident), kind: transition.to === 'in_review' ? 'report.submitted' : 'report.published', version: transition.version, actor: transition.actor,
    });
  }

  /** Records one delivery per target of the notice (once ever); returns how many were new. */
  async tell(notice: Notice): Promise<number> {
    const targets = noticeTargets(notice, this.options.teamsOf(notice.services), this.options.routing);
    const createdAt = this.options.clock().toISOString();
    const link = reportPageUrl(this.options.publicUrl, notice.incidentId);
    let recorded = 0;
    for (const name of targets) {
      const target = this.options.targets.find((candidate) => candidate.name === name);
      if (!target) continue;
      for (const channel of target.type === 'slack-bot' ? this.channelsFor(notice, target) : [null]) {
        // A slack-bot notice is once per channel: one target may serve teams with different channels.
        const id = `ntc_${createHash('sha256').update(`${noticeKey(notice)}\n${name}${channel === null ? '' : `\n${channel}`}`).digest('hex').slice(0, 32)}`;
        const body = JSON.stringify(channel !== null ? { channel, ...slackMessage(notice, link) } : target.type === 'slack' ? slackMessage(notice, link) : webhookNotice(notice, id, createdAt, link));
        const created = await this.options.notifier.notifyOnce({ id, target: name, incidentId: notice.incidentId, version: notice.version, event: notice.kind, body, createdAt });
        if (created) recorded += 1;
      }
    }
    return recorded;
  }

  private channelsFor(notice: Notice, target: PeopleTarget): string[] {
    const channels = slackBotChannels(notice, target, this.options.teamsOf(notice.services), this.options.routing, this.options.slackChannelOf ?? (() => null), this.options.slackFallbackChannel ?? null);
    if (channels.length === 0) this.options.logger.warn({ target: target.name, incidentId: notice.incidentId, kind: notice.kind }, 'no Slack channel for a notice: set the team\'s slackChannel in the catalog or slack.fallbackChannel');
    return channels;
  }

  /**
   * One periodic pass: required post-mortems, drafts waiting, overdue action items. Passes never
   * overlap; the returned promise settles after a pass that started after the call.
   */
  check(): Promise<void> {
    this.busy += 1;
    this.chain = this.chain.then(() => this.checkOnce()).catch((err: unknown) => {
      this.options.logger.error({ err: { message: (err as Error)?.message } }, 'people-told check failed');
    }).finally(() => { this.busy -= 1; });
    return this.chain;
  }

  start(intervalSeconds: number): void {
    if (!this.enabled || this.timer) return;
    void this.check();
    this.timer = setInterval(() => {
      if (this.busy === 0) void this.check();
    }, intervalSeconds * 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.chain;
  }

  private async checkOnce(): Promise<void> {
    await this.checkPostmortems();
    await this.checkOverdueItems();
  }

  private async checkPostmortems(): Promise<void> {
    const now = this.options.clock();
    const since = new Date(now.getTime() - this.options.lookbackDays * DAY_MS).toISOString();
    let cursor: string | null = null;
    do {
      const page = await this.options.store.listIncidents({ since, limit: PAGE, cursor });
      const [statuses, stored] = await Promise.all([
        this.options.reports.listPostmortemStatuses(page.items), this.options.reportStore.getReports(page.items.map((incident) => incident.id)),
      ]);
      for (const incident of page.items) {
        if (!statuses.get(incident.id)?.required) continue;
        const report = stored.get(incident.id);
        const status = report?.status ?? 'draft';
        const version = report?.version ?? 0;
        // A post-mortem already published once needs no more asking.
        if (status === 'published' || version > 1) continue;
        await this.tell({ ...about(incident), kind: 'postmortem.required', version, actor: null });
        const waitingDays = incident.endedAt ? Math.floor((now.getTime() - Date.parse(incident.endedAt)) / DAY_MS) : 0;
        if (status === 'draft' && incident.endedAt && waitingDays >= this.options.draftWaitingDays) {
          await this.tell({ ...about(incident), kind: 'draft.waiting', version, actor: null, waitingDays });
        }
      }
      cursor = page.nextCursor;
    } while (cursor);
  }

  private async checkOverdueItems(): Promise<void> {
    const incidents = new Map<string, Incident | null>();
    let cursor: string | null = null;
    do {
      const page = await this.options.reports.listActionItems({ overdue: true, limit: PAGE, cursor });
      for (const item of page.items) {
        if (!incidents.has(item.incidentId)) incidents.set(item.incidentId, (await this.options.store.getIncident(item.incidentId))?.incident ?? null);
        const incident = incidents.get(item.incidentId);
        if (!incident) continue;
        await this.tell({
          ...about(incident), kind: 'action-items.overdue', version: 0, actor: null,
          item: { id: item.id, title: item.title, owner: item.owner, dueDate: item.dueDate },
        });
      }
      cursor = page.nextCursor;
    } while (cursor);
  }
}

const about = (incident: Incident): Pick<Notice, 'incidentId' | 'title' | 'severity' | 'services'> => ({
  incidentId: incident.id, title: incident.title, severity: incident.severity, services: incident.services,
});
