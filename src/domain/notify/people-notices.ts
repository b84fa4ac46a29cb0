/**
 * People told: which notice goes to which configured target, and what it says. Pure: the
 * service that finds the events (people-told-service.ts) and the notifier that sends the bytes
 * (outbound-notifier.ts) do the I/O.
 */

/** The kinds of notice, each switchable off per team. */
export const NOTICE_KINDS = ['postmortem.required', 'draft.waiting', 'report.submitted', 'action-items.overdue', 'report.published'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

/** What a notice is about; every kind names one incident. */
export interface Notice {
  kind: NoticeKind;
  incidentId: string;
  title: string;
  severity: string | null;
  services: readonly string[];
  /** Report version it is about (0 when there is none yet). */
  version: number;
  /** Who did it (submitted, published); null for the periodic kinds. */
  actor: string | null;
  /** `draft.waiting`: whole days the draft has waited. */
  waitingDays?: number;
  /** `action-items.overdue`: the item that went overdue. */
  item?: { id: string; title: string; owner: string | null; dueDate: string | null };
}

/** Where notices go: targets by name. */
export interface NoticeRouting {
  /** Team (as the catalog names it) -> its targets and the kinds it switched off. */
  teams: Readonly<Record<string, { targets: readonly string[]; off: readonly NoticeKind[] }>>;
  /** Targets of people who publish (told when a draft is submitted for review). */
  publishers: readonly string[];
}

/**
 * Target names for one notice, each once. A submitted draft goes to the publishers; every
 * other kind to the teams owning the incident's services (from the catalog) that have not
 * switched the kind off. Teams not configured, and services without a team, reach nobody.
 */
export function noticeTargets(notice: Notice, owningTeams: readonly string[], routing: NoticeRouting): string[] {
  const out = new Set<string>();
  if (notice.kind === 'report.submitted') {
    for (const target of routing.publishers) out.add(target);
    return [...out];
  }
  for (const team of owningTeams) {
    const settings = routing.teams[team];
    if (!settings || settings.off.includes(notice.kind)) continue;
    for (const target of settings.targets) out.add(target);
  }
  return [...out];
}

/**
 * The Slack channels a `slack-bot` target posts one notice to, each once: per owning team that
 * routes the notice to the target, the team's channel from the catalog, else the target's own
 * channel, else the fallback; a submitted draft (publishers) goes to the target's channel or the
 * fallback. Empty when none is known.
 */
export function slackBotChannels(
  notice: Notice, target: { name: string; channel?: string | null }, owningTeams: readonly string[], routing: NoticeRouting,
  channelOf: (team: string) => string | null, fallback: string | null,
): string[] {
  const own = target.channel ?? fallback;
  const out = new Set<string>();
  if (notice.kind === 'report.submitted') {
    if (routing.publishers.includes(target.name) && own) out.add(own);
    return [...out];
  }
  for (const team of owningTeams) {
    const settings = routing.teams[team];
    if (!settings || settings.off.includes(notice.kind) || !settings.targets.includes(target.name)) continue;
    const channel = channelOf(team) ?? own;
    if (channel) out.add(channel);
  }
  return [...out];
}

/**
 * The key that makes a notice once-only per target: the same subject and kind never yield a
 * second delivery (periodic checks run again and again; a restart re-runs them).
 */
export function noticeKey(notice: Notice): string {
  switch (notice.kind) {
    case 'action-items.overdue': return `${notice.kind}:${notice.item?.id ?? ''}:${notice.item?.dueDate ?? ''}`;
    case 'report.submitted':
    case 'report.published': return `${notice.kind}:${notice.incidentId}:${notice.version}`;
    default: return `${notice.kind}:${notice.incidentId}`;
  }
}

/** The page a notice links to; null without a public URL (never guessed from a request). */
export function reportPageUrl(publicUrl: string | null, incidentId: string): string | null {
  return publicUrl ? `${publicUrl.replace(/\/+$/, '')}/ui/incidents/${encodeURIComponent(incidentId)}/report` : null;
}

/** One sentence saying what happened, without the link. */
export function noticeHeadline(notice: Notice): string {
  const what = `${notice.incidentId} "${notice.title}"`;
  switch (notice.kind) {
    case 'postmortem.required': return `A post-mortem is required for ${what}.`;
    case 'draft.waiting': return `The post-mortem draft of ${what} has waited ${notice.waitingDays ?? 0} day${notice.waitingDays === 1 ? '' : 's'}.`;
    case 'report.submitted': return `The post-mortem of ${what} was submitted for review${notice.actor ? ` by ${notice.actor}` : ''}.`;
    case 'action-items.overdue': {
      const item = notice.item;
      const owner = item?.owner ? ` (owner ${item.owner})` : '';
      return `Action item "${item?.title ?? ''}"${owner} of ${what} is overdue since ${item?.dueDate ?? 'its due date'}.`;
    }
    case 'report.published': return `The post-mortem of ${what} was published${notice.actor ? ` by ${notice.actor}` : ''}.`;
  }
}

/** Slack mrkdwn needs only these three escaped; everything else is literal text. */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The body of a Slack incoming-webhook message: `text` (the notification and fallback line)
 * and one `section` block in mrkdwn with the link as `<url|label>`.
 */
export function slackMessage(notice: Notice, link: string | null): { text: string; blocks: unknown[] } {
  const headline = noticeHeadline(notice);
  const facts = [notice.severity ? `severity ${notice.severity}` : null, notice.services.length ? `services ${notice.services.join(', ')}` : null].filter(Boolean).join(' · ');
  const lines = [slackEscape(headline), facts ? `_${slackEscape(facts)}_` : null, link ? `<${link}|Open the post-mortem>` : null].filter((line): line is string => line !== null);
  return {
    text: link ? `${slackEscape(headline)} ${link}` : slackEscape(headline),
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } }],
  };
}

/** The body of the generic signed webhook (`X-Debrief-Event` is the kind). */
export function webhookNotice(notice: Notice, deliveryId: string, createdAt: string, link: string | null): Record<string, unknown> {
  return {
    event: notice.kind, deliveryId, createdAt, text: noticeHeadline(notice), link,
    incident: { id: notice.incidentId, title: notice.title, severity: notice.severity, services: notice.services },
    version: notice.version, actor: notice.actor,
    ...(notice.waitingDays !== undefined ? { waitingDays: notice.waitingDays } : {}),
    ...(notice.item ? { actionItem: notice.item } : {}),
  };
}
