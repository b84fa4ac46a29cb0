import type { ServiceCatalog } from '../catalog/service-catalog';
import type { PagingEvent } from '../paging-event';
import { keysForPagingEvent, type PagingKeys } from './correlation-keys';
import { LINK_RULES, type Absorption, type Hit, type IncidentCandidate, type KeyActivity, type PagingPlacement } from './correlation-types';
import { describeMiss, indexByKey, pickBest } from './hits';
import { describePage, formatMinutes, relativeText } from './explain';
import { absorbable } from './link-evidence';

/**
 * Where a paging event (a PagerDuty incident's lifecycle event) goes. Pure.
 *
 * A page speaks for its whole group: Alertmanager's PagerDuty notifier sends `sha256(groupKey)`
 * as the dedup key and PagerDuty makes one incident of the group, so the responder handled one
 * incident. When the rules had split that group (say, by service), the page joins one part and
 * the other parts are merged into it — unless a person shaped them (split, moved or merged by
 * hand), which always wins.
 */

export interface PagingContext {
  catalog: ServiceCatalog;
  linkWindowMs: number;
  pdServiceWindowMs: number;
  evaluate: (t: number, candidate: IncidentCandidate, activity: KeyActivity, windowMs: number) => Hit;
}

export function pagingKeys(event: PagingEvent, catalog: ServiceCatalog, pdServiceWindowMs: number): PagingKeys {
  const mapped = pdServiceWindowMs > 0 ? catalog.serviceForPagerDuty(event.page.serviceId, event.page.serviceName) : null;
  return keysForPagingEvent(event, mapped);
}

export function decidePaging(event: PagingEvent, candidates: IncidentCandidate[], ctx: PagingContext): PagingPlacement {
  const keys = pagingKeys(event, ctx.catalog, ctx.pdServiceWindowMs);
  const byKey = indexByKey(candidates);
  const t = Date.parse(event.occurredAt);
  const page = describePage(event);
  const incidentKey = event.page.incidentKey?.trim().toLowerCase() ?? null;
  const dedupHits = keys.dedup.flatMap((k) => byKey.get(k) ?? []).map((h) => ctx.evaluate(t, h.candidate, h.activity, ctx.linkWindowMs));
  const same = (byKey.get(keys.page) ?? []).map((h) => h.candidate).sort((a, b) => a.incident.startedAt.localeCompare(b.incident.startedAt))[0];
  if (same) {
    return {
      action: 'join', incidentId: same.incident.id, rule: LINK_RULES.pagerDutyIncident, matched: { pageId: event.page.id },
      explanation: `Follows ${page}, which is already in this incident.`, absorb: groupParts(same, dedupHits, page, incidentKey),
    };
  }
  const misses: string[] = [];
  const choice = incidentKey ? chooseByDedupKey(event, incidentKey, dedupHits.filter((h) => h.ok), ctx.catalog) : null;
  if (choice && incidentKey) {
    const { hit: dedup, why } = choice;
    const viaAlerts = dedup.activity.key.startsWith('pdkey:');
    return {
      action: 'join', incidentId: dedup.candidate.incident.id, rule: LINK_RULES.pagerDutyDedupKey, matched: { incidentKey },
      explanation: (viaAlerts
        ? `Explicit link (strongest evidence): its incident key ${incidentKey.slice(0, 12)}… is the SHA-256 of the Alertmanager group key of alerts in this incident (Alertmanager's PagerDuty notifier sends it as dedup_key); ${page} came ${relativeText(dedup, 'their first alert')}.`
        : `Explicit link (strongest evidence): another PagerDuty incident with the same incident key ${incidentKey.slice(0, 12)}… is in this incident; ${page} came ${relativeText(dedup, 'its latest event')}.`) + why,
      absorb: groupParts(dedup.candidate, dedupHits, page, incidentKey),
    };
  }
  if (incidentKey) misses.push(dedupHits.length ? describeMiss(dedupHits, ctx.linkWindowMs, t) : `no incident holds alerts or pages with its incident key ${incidentKey.slice(0, 12)}…`);
  else misses.push('it carries no incident key (dedup key)');
  const mapped = keys.service.length > 0 ? keys.service[0]!.slice('svc:'.length) : null;
  if (mapped) {
    const svcHits = keys.service.flatMap((k) => byKey.get(k) ?? []).map((h) => ctx.evaluate(t, h.candidate, h.activity, ctx.pdServiceWindowMs));
    const svc = pickBest(svcHits.filter((h) => h.ok));
    if (svc) {
      return {
        action: 'join', incidentId: svc.candidate.incident.id, rule: LINK_RULES.pagerDutyService, matched: { service: mapped, pagerDutyService: event.page.serviceName ?? event.page.serviceId ?? '' },
        explanation: `Explicit link: PagerDuty service "${event.page.serviceName ?? event.page.serviceId}" maps to catalog service "${mapped}", which is in this incident; ${page} came ${relativeText(svc, 'its first alert there')} (window ${formatMinutes(ctx.pdServiceWindowMs)}).`,
        absorb: [],
      };
    }
    misses.push(svcHits.length ? describeMiss(svcHits, ctx.pdServiceWindowMs, t) : `catalog service "${mapped}" (its PagerDuty service) has no incident within ${formatMinutes(ctx.pdServiceWindowMs)}`);
  } else {
    misses.push('its PagerDuty service is not mapped to a catalog service');
  }
  return { action: 'open', rule: null, matched: {}, explanation: `Opened a new incident for ${page} because ${misses.join('; ')}.`, absorb: [] };
}

/**
 * The other incidents holding alerts of the page's Alertmanager group (the rules split the group):
 * merged into the page's incident, since the page covers the whole group. Only parts the rules
 * made; never one a person shaped or fenced off.
 */
function groupParts(target: IncidentCandidate, dedupHits: readonly Hit[], page: string, incidentKey: string | null): Absorption[] {
  if (!incidentKey) return [];
  const groupKey = `pdkey:${incidentKey}`;
  const out: Absorption[] = [];
  const seen = new Set([target.incident.id]);
  for (const hit of [...dedupHits].sort((a, b) => a.candidate.incident.id.localeCompare(b.candidate.incident.id))) {
    const c = hit.candidate;
    if (!hit.ok || seen.has(c.incident.id) || hit.activity.key !== groupKey) continue;
    if (!absorbable(c) || c.fencedWith.includes(target.incident.id) || target.fencedWith.includes(c.incident.id)) continue;
    seen.add(c.incident.id);
    out.push({
      incidentId: c.incident.id,
      rule: LINK_RULES.pageGroupMerge,
      explanation: `Merged incident "${c.incident.title}" into this one because ${page} covers its alerts too: they are in the same Alertmanager group (dedup key ${incidentKey.slice(0, 12)}… = SHA-256 of the group key), and PagerDuty made one incident of the whole group, which the responder handled as one.`,
    });
  }
  return out;
}

/**
 * Several incidents can hold one dedup key: the correlation rules split one Alertmanager group
 * (e.g. by service). The page belongs with the part it is about, so of the eligible incidents:
 * 1. the one whose services include the catalog service the page's PagerDuty service maps to
 *    (`pagerdutyServices`; used here even when the service link itself is off);
 * 2. else the one holding the most alerts of the group (the bulk of what paged);
 * 3. else the nearest, then the earliest started (`pickBest`).
 * `why` explains the choice when there was one to make (empty otherwise).
 */
function chooseByDedupKey(event: PagingEvent, incidentKey: string, hits: Hit[], catalog: ServiceCatalog): { hit: Hit; why: string } | null {
  const perIncident = new Map<string, Hit[]>();
  for (const h of hits) (perIncident.get(h.candidate.incident.id) ?? perIncident.set(h.candidate.incident.id, []).get(h.candidate.incident.id)!).push(h);
  if (perIncident.size === 0) return null;
  const service = catalog.serviceForPagerDuty(event.page.serviceId, event.page.serviceName);
  const groupKey = `pdkey:${incidentKey}`;
  const options = [...perIncident.values()].map((own) => {
    const candidate = own[0]!.candidate;
    return {
      hit: pickBest(own)!,
      onService: service !== null && candidate.incident.services.includes(service),
      groupAlerts: candidate.keys.find((k) => k.key === groupKey)?.holders ?? 0,
    };
  });
  if (options.length === 1) return { hit: options[0]!.hit, why: '' };
  const onService = options.filter((o) => o.onService);
  const pool1 = onService.length > 0 ? onService : options;
  const most = Math.max(...pool1.map((o) => o.groupAlerts));
  const pool2 = pool1.filter((o) => o.groupAlerts === most);
  const chosen = pickBest(pool2.map((o) => o.hit))!;
  const pdService = event.page.serviceName ?? event.page.serviceId ?? '';
  const reasons = [`${options.length} incidents hold this key (the correlation rules split the group)`];
  if (onService.length > 0 && onService.length < options.length) {
    reasons.push(`this one is on catalog service "${service}", which its PagerDuty service "${pdService}" maps to`);
  } else if (service === null) {
    reasons.push('its PagerDuty service maps to no catalog service');
  } else {
    reasons.push(`${onService.length === 0 ? 'none' : 'each'} of them is on catalog service "${service}", which its PagerDuty service "${pdService}" maps to`);
  }
  if (pool2.length < pool1.length) {
    const next = Math.max(...pool1.filter((o) => o.groupAlerts < most).map((o) => o.groupAlerts));
    reasons.push(`${pool1.length < options.length ? 'of those, ' : ''}this one holds the most alerts of the group (${most}, the next ${next})`);
  } else if (pool2.length > 1) {
    reasons.push(`${pool2.length} hold as many alerts of the group (${most}), so it joined the nearest in time, then the earliest started`);
  }
  return { hit: chosen, why: ` ${reasons.join('; ')}.` };
}
