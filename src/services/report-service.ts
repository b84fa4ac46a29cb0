import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AlertingRule } from '../domain/alert-rule';
import type { Incident, IncidentDetail } from '../domain/incident';
import { buildReport, type IncidentViewOptions } from '../domain/incident-report';
import { needsPostmortem, postmortemFacts, type PostmortemDecision, type PostmortemPolicy } from '../domain/postmortem-policy';
import { composeReport } from '../domain/report/compose-report';
import type { ReportAutosave } from '../domain/report/report-autosave';
import {
  actionItemFields, emptyStoredReport, reportEtag, type ActionItem, type ActionItemStatus, type AuditChange, type PostmortemStatus,
  type PostmortemOverride, type PublishedReportVersion, type ReportAuditAction, type ReportAuditEntry, type ReportStatus, type ReportVersionSummary,
  type ReportView, type StoredReport, type SuspectVerdictKind,
} from '../domain/report/report-model';
import { setSuspectVerdict } from '../domain/report/suspect-verdicts';
import { applyReportPatch, type ReportPatch } from '../domain/report/report-patch';
import { publishProblems, reviewProblems, startNextVersion, transitionProblem } from '../domain/report/report-workflow';
import { timelineEntryId } from '../domain/report/timeline-entry-id';
import {
  ConflictError, NotFoundError, PreconditionRequiredError, StaleVersionError, UnprocessableError,
} from '../errors';
import type { ReportStore } from '../store/report-store';
import type { IncidentReads, Page } from '../store/store';
import type { ReportCarryOver } from './report-carry-over';

export interface ReportServiceDeps {
  store: Pick<IncidentReads, 'getIncident' | 'pagedIncidentIds'>;
  reports: ReportStore;
  view: IncidentViewOptions;
  policy: PostmortemPolicy;
  clock: () => Date;
  logger?: Logger;
  newId?: () => string;
  /** Finishes merge carry-overs into an incident before its report is read (report-carry-over.ts). */
  carryOver?: Pick<ReportCarryOver, 'resume'>;
  /**
   * The alerting rules behind an incident's alerts (Prometheus, when configured); null when they
   * could not be read. They set the drafted impact start; without them the draft says nothing of rules.
   */
  alertRules?: { rulesFor(detail: IncidentDetail, now: Date): Promise<readonly AlertingRule[] | null> };
}

/** Called after a version is published (outbound notifications). Failures are logged, never undo the publish. */
export type ReportPublishedListener = (published: PublishedReportVersion) => Promise<void> | void;

/** A report moved through the workflow (after it was stored). */
export interface ReportTransition {
  incident: Incident;
  version: number;
  from: ReportStatus;
  to: ReportStatus;
  actor: string;
}
export type ReportTransitionListener = (transition: ReportTransition) => Promise<void> | void;

export interface ActionItemInput {
  title: string;
  owner?: string | null;
  dueDate?: string | null;
  status?: ActionItemStatus;
  trackerUrl?: string | null;
}

export interface ActionItemListQuery {
  incidentId?: string;
  status?: ActionItemStatus;
  /** Only items due before today (UTC) that are still open or in progress. */
  overdue?: boolean;
  limit: number;
  cursor?: string | null;
}

/** How many times a write that does not depend on what the person saw (request/waive) retries a lost race. */
const CAS_RETRIES = 5;

/**
 * The report use cases: read the composed report, complete it, move it through the workflow,
 * manage action items. Reads the incident through `Store`, the human parts through
 * `ReportStore`, and keeps every decision in the pure domain modules.
 */
export class ReportService {
  private readonly listeners: ReportPublishedListener[] = [];
  private readonly transitionListeners: ReportTransitionListener[] = [];
  private readonly newId: () => string;

  constructor(private readonly deps: ReportServiceDeps) {
    this.newId = deps.newId ?? randomUUID;
  }

  /** Registers a listener for published versions. */
  onPublished(listener: ReportPublishedListener): void {
    this.listeners.push(listener);
  }

  /** Registers a listener for every workflow transition (submitted for review, published, reopened). */
  onTransitioned(listener: ReportTransitionListener): void {
    this.transitionListeners.push(listener);
  }

  /** The current report: the live composition, or the frozen snapshot while the current version is published. */
  async getReport(incidentId: string): Promise<ReportView> {
    // A merge into this incident whose carry-over was interrupted is finished first.
    await this.deps.carryOver?.resume(incidentId);
    const detail = await this.loadIncident(incidentId);
    const stored = await this.loadStored(incidentId);
    return this.currentView(detail, stored);
  }

  /**
   * Completes parts of the report. `ifMatch` must name the current ETag; a stale one fails with
   * the current report so the client can show what the other person changed. Editing a
   * published version starts version + 1 (the published one stays readable).
   */
  async patchReport(incidentId: string, patch: ReportPatch, ifMatch: string | undefined, actor: string): Promise<ReportView> {
    const detail = await this.loadIncident(incidentId);
    const stored = await this.loadStored(incidentId);
    await this.checkIfMatch(detail, stored, ifMatch, true);
    const now = this.now();
    const base = stored.status === 'published' ? startNextVersion(stored) : stored;
    const machineEntryIds = new Set(this.draft(detail).timeline.map(timelineEntryId));
    const { content, changes } = applyReportPatch(base.content, patch, { actor, now, machineEntryIds, newId: this.newId });
    if (changes.length === 0) return this.currentView(detail, stored);
    const next: StoredReport = { ...base, content, revision: stored.revision + 1, createdAt: stored.createdAt ?? now, updatedAt: now, updatedBy: actor };
    const audit: ReportAuditEntry[] = [];
    if (base !== stored) audit.push(this.auditEntry(incidentId, 'report.version-created', next.version, actor, now, [{ path: 'version', from: stored.version, to: next.version }]));
    audit.push(this.auditEntry(incidentId, 'report.updated', next.version, actor, now, changes));
    const saved = await this.commit(detail, stored, next, audit);
    return this.currentView(detail, saved);
  }

  /**
   * Moves the report to `to`. Publishing checks every requirement and answers 422 listing each
   * missing part; it freezes the composed view as the version's snapshot. `ifMatch` is
   * optional here; when sent it must be current.
   */
  async transition(incidentId: string, to: ReportStatus, ifMatch: string | undefined, actor: string): Promise<ReportView> {
    const detail = await this.loadIncident(incidentId);
    const stored = await this.loadStored(incidentId);
    await this.checkIfMatch(detail, stored, ifMatch, false);
    const problem = transitionProblem(stored.status, to);
    if (problem) throw new ConflictError(problem, [{ path: 'to', message: problem }]);
    const now = this.now();
    const base = stored.status === 'published' ? startNextVersion(stored) : stored;
    const next: StoredReport = {
      ...base, status: to, revision: stored.revision + 1, createdAt: stored.createdAt ?? now, updatedAt: now, updatedBy: actor,
      publishedAt: to === 'published' ? now : null, publishedBy: to === 'published' ? actor : null,
    };
    const audit: ReportAuditEntry[] = [];
    if (base !== stored) audit.push(this.auditEntry(incidentId, 'report.version-created', next.version, actor, now, [{ path: 'version', from: stored.version, to: next.version }]));
    audit.push(this.auditEntry(incidentId, 'report.transitioned', next.version, actor, now, [{ path: 'status', from: stored.status, to }]));
    if (to === 'in_review') {
      const missing = reviewProblems(await this.liveView(detail, next, now));
      if (missing.length) throw new UnprocessableError(`the report cannot be submitted for review: ${missingParts(missing)}`, missing);
    }
    let published: PublishedReportVersion | undefined;
    if (to === 'published') {
      const view = await this.liveView(detail, next, now);
      const missing = publishProblems(view);
      if (missing.length) throw new UnprocessableError(`the report cannot be published: ${missingParts(missing)}`, missing);
      published = { incidentId, version: next.version, publishedAt: now, publishedBy: actor, etag: view.etag, report: view };
    }
    const saved = await this.commit(detail, stored, next, audit, published);
    if (published) await this.notifyPublished(published);
    await this.notifyTransitioned({ incident: detail.incident, version: saved.version, from: stored.status, to, actor });
    return this.currentView(detail, saved);
  }

  /**
   * A person's verdict on one suspect of the incident: `cause`, `dismissed`, or null to take it
   * back. Recorded in the audit trail as `suspects.<changeId>`. It does not depend on the text
   * the person saw, so `ifMatch` is optional (when sent it must be current) and a lost race is
   * retried. On a published version it starts the next one, as any edit does.
   */
  async setSuspectVerdict(incidentId: string, changeId: string, verdict: SuspectVerdictKind | null, ifMatch: string | undefined, actor: string): Promise<ReportView> {
    const detail = await this.loadIncident(incidentId);
    const suspects = this.draft(detail).suspects ?? [];
    const stored0 = await this.loadStored(incidentId);
    await this.checkIfMatch(detail, stored0, ifMatch, false);
    const known = suspects.some((s) => s.changeId === changeId) || (stored0.content.suspectVerdicts ?? []).some((v) => v.changeId === changeId && verdict === null);
    if (!known) {
      throw new UnprocessableError(`change "${changeId}" is not a suspect of incident "${incidentId}"`, [{ path: 'changeId', message: 'not one of the incident\'s suspects (its report\'s `suspects`)' }]);
    }
    for (let attempt = 0; attempt < CAS_RETRIES; attempt++) {
      const stored = attempt === 0 ? stored0 : await this.loadStored(incidentId);
      const now = this.now();
      const base = stored.status === 'published' ? startNextVersion(stored) : stored;
      const { content, changes } = setSuspectVerdict(base.content, changeId, verdict, { actor, now });
      if (changes.length === 0) return this.currentView(detail, stored);
      const next: StoredReport = { ...base, content, revision: stored.revision + 1, createdAt: stored.createdAt ?? now, updatedAt: now, updatedBy: actor };
      const audit: ReportAuditEntry[] = [];
      if (base !== stored) audit.push(this.auditEntry(incidentId, 'report.version-created', next.version, actor, now, [{ path: 'version', from: stored.version, to: next.version }]));
      audit.push(this.auditEntry(incidentId, 'report.updated', next.version, actor, now, changes));
      const r = await this.deps.reports.commitReport({ expectedRevision: stored.revision, next, audit });
      if (r.ok) return this.currentView(detail, r.report);
      if (ifMatch !== undefined && ifMatch.trim() !== '') throw await this.staleError(detail, r.current ?? emptyStoredReport(incidentId));
    }
    throw new ConflictError('the report kept changing while saving; try again');
  }

  /** A person asks for a post-mortem of an incident the policy does not require (or confirms one). */
  async requestPostmortem(incidentId: string, reason: string | null, actor: string): Promise<ReportView> {
    return this.setOverride(incidentId, 'requested', reason, actor);
  }

  /** A person waives the post-mortem, with a reason. */
  async waivePostmortem(incidentId: string, reason: string, actor: string): Promise<ReportView> {
    return this.setOverride(incidentId, 'waived', reason, actor);
  }

  /** What `author` typed into this incident's report and has not saved, or null. */
  async getAutosave(incidentId: string, author: string): Promise<ReportAutosave | null> {
    await this.loadIncident(incidentId);
    return this.deps.reports.getAutosave(incidentId, author);
  }

  /**
   * Keeps what `author` typed and has not saved (their own copy, replaced by the next). It is
   * never a revision of the report: the report, its ETag and other people's work are untouched,
   * and saving it later is an ordinary PATCH with If-Match. A published version is not edited
   * in place, so text typed on it is refused.
   */
  async putAutosave(incidentId: string, input: { baseEtag: string; fields: ReportAutosave['fields'] }, author: string): Promise<ReportAutosave> {
    await this.loadIncident(incidentId);
    const stored = await this.loadStored(incidentId);
    if (stored.status === 'published' && etagMatches(input.baseEtag, reportEtag(stored))) {
      throw new ConflictError('this version is published and frozen; start a new version to change it', [{ path: 'baseEtag', message: 'names the published version' }]);
    }
    const autosave: ReportAutosave = { incidentId, author, savedAt: this.now(), baseEtag: input.baseEtag, fields: input.fields };
    await this.deps.reports.putAutosave(autosave);
    return autosave;
  }

  /** Forgets `author`'s unsaved text on this report (saved or discarded). */
  async deleteAutosave(incidentId: string, author: string): Promise<void> {
    await this.loadIncident(incidentId);
    await this.deps.reports.deleteAutosave(incidentId, author);
  }

  async listVersions(incidentId: string): Promise<ReportVersionSummary[]> {
    await this.loadIncident(incidentId);
    const stored = await this.loadStored(incidentId);
    const published = await this.deps.reports.listPublishedVersions(incidentId);
    const rows: ReportVersionSummary[] = published.map((p) => ({
      version: p.version, status: 'published', current: p.version === stored.version, publishedAt: p.publishedAt, publishedBy: p.publishedBy, etag: p.etag,
    }));
    if (stored.status !== 'published') {
      rows.push({ version: stored.version, status: stored.status, current: true, publishedAt: null, publishedBy: null, etag: reportEtag(stored) });
    }
    return rows;
  }

  /** One version: a published snapshot, or the current unpublished version composed live. */
  async getVersion(incidentId: string, version: number): Promise<ReportView> {
    const detail = await this.loadIncident(incidentId);
    const snapshot = await this.deps.reports.getPublishedVersion(incidentId, version);
    if (snapshot) return snapshot.report;
    const stored = await this.loadStored(incidentId);
    if (stored.version === version) return this.currentView(detail, stored);
    throw new NotFoundError(`incident "${incidentId}" has no report version ${version} (current is ${stored.version})`);
  }

  async listAudit(incidentId: string, query: { limit: number; cursor?: string | null }): Promise<Page<ReportAuditEntry>> {
    await this.loadIncident(incidentId);
    return this.deps.reports.listAudit(incidentId, query);
  }

  // ------------------------------------------------------------ action items

  async createActionItem(incidentId: string, input: ActionItemInput, actor: string): Promise<ActionItem> {
    await this.loadIncident(incidentId);
    const now = this.now();
    const item: ActionItem = {
      id: `ai_${this.newId()}`, incidentId, title: input.title, owner: input.owner ?? null, dueDate: input.dueDate ?? null,
      status: input.status ?? 'open', trackerUrl: input.trackerUrl ?? null, createdAt: now, createdBy: actor, updatedAt: now, updatedBy: actor,
    };
    const version = (await this.loadStored(incidentId)).version;
    const changes: AuditChange[] = [{ path: `actionItems.${item.id}`, from: null, to: actionItemFields(item) }];
    await this.deps.reports.createActionItem(item, this.auditEntry(incidentId, 'action-item.created', version, actor, now, changes, item.id));
    return item;
  }

  /** Merge update: absent fields unchanged, null clears (title and status cannot be cleared). */
  async updateActionItem(itemId: string, patch: Partial<ActionItemInput>, actor: string): Promise<ActionItem> {
    const before = await this.getActionItem(itemId);
    const now = this.now();
    const after: ActionItem = {
      ...before,
      title: patch.title ?? before.title,
      status: patch.status ?? before.status,
      owner: patch.owner === undefined ? before.owner : patch.owner,
      dueDate: patch.dueDate === undefined ? before.dueDate : patch.dueDate,
      trackerUrl: patch.trackerUrl === undefined ? before.trackerUrl : patch.trackerUrl,
    };
    const changes: AuditChange[] = [];
    for (const k of ['title', 'owner', 'dueDate', 'status', 'trackerUrl'] as const) {
      if (after[k] !== before[k]) changes.push({ path: `actionItems.${itemId}.${k}`, from: before[k], to: after[k] });
    }
    if (changes.length === 0) return before;
    const updated = { ...after, updatedAt: now, updatedBy: actor };
    const version = (await this.loadStored(before.incidentId)).version;
    const ok = await this.deps.reports.updateActionItem(updated, this.auditEntry(before.incidentId, 'action-item.updated', version, actor, now, changes, itemId));
    if (!ok) throw new NotFoundError(`no action item "${itemId}"`);
    return updated;
  }

  async deleteActionItem(itemId: string, actor: string): Promise<void> {
    const before = await this.getActionItem(itemId);
    const now = this.now();
    const version = (await this.loadStored(before.incidentId)).version;
    const ok = await this.deps.reports.deleteActionItem(itemId, this.auditEntry(before.incidentId, 'action-item.deleted', version, actor, now, [{ path: `actionItems.${itemId}`, from: actionItemFields(before), to: null }], itemId));
    if (!ok) throw new NotFoundError(`no action item "${itemId}"`);
  }

  async getActionItem(itemId: string): Promise<ActionItem> {
    const item = await this.deps.reports.getActionItem(itemId);
    if (!item) throw new NotFoundError(`no action item "${itemId}"`);
    return item;
  }

  async listIncidentActionItems(incidentId: string): Promise<ActionItem[]> {
    await this.loadIncident(incidentId);
    return this.allActionItems(incidentId);
  }

  /** Action items across incidents; `overdue` means due before today (UTC) and still open or in progress. */
  async listActionItems(query: ActionItemListQuery): Promise<Page<ActionItem>> {
    const today = this.now().slice(0, 10);
    let statuses: ActionItemStatus[] | undefined = query.status ? [query.status] : undefined;
    if (query.overdue) statuses = (statuses ?? ['open', 'in_progress']).filter((s) => s === 'open' || s === 'in_progress');
    if (statuses && statuses.length === 0) return { items: [], nextCursor: null };
    return this.deps.reports.listActionItems({
      incidentId: query.incidentId, statuses, dueBefore: query.overdue ? today : undefined, limit: query.limit, cursor: query.cursor,
    });
  }

  /** Whether an incident needs a post-mortem (policy plus human request/waiver). */
  postmortemStatus(detail: IncidentDetail, stored: StoredReport | null, now: string): PostmortemStatus {
    const impact = this.draft(detail).impact;
    const facts = postmortemFacts(detail.incident, detail.events, impact, now, this.deps.view.customerFacing ?? null);
    return withOverride(needsPostmortem(detail.incident, facts, this.deps.policy), stored?.postmortem ?? null);
  }

  /**
   * `postmortem: { required, reason }` for a page of incidents (lists) without reading each
   * incident: two batched reads (stored reports for request/waive, and which were paged).
   * Customer-facing comes from the incidents' services; the report's own figure looks at its
   * impact list, which also counts alerts without a service label as an unknown service, so
   * only the wording of a "not required" reason can differ there, never `required`.
   */
  async listPostmortemStatuses(incidents: readonly Incident[]): Promise<Map<string, { required: boolean; reason: string }>> {
    const ids = incidents.map((i) => i.id);
    const out = new Map<string, { required: boolean; reason: string }>();
    if (ids.length === 0) return out;
    const [stored, paged] = await Promise.all([this.deps.reports.getReports(ids), this.deps.store.pagedIncidentIds(ids)]);
    const now = this.now();
    const lookup = this.deps.view.customerFacing ?? null;
    for (const incident of incidents) {
      const impact = incident.services.map((service) => ({ service, customerFacing: lookup ? lookup(service) : null }));
      const facts = { ...postmortemFacts(incident, [], impact, now, lookup), paged: paged.has(incident.id) };
      const status = withOverride(needsPostmortem(incident, facts, this.deps.policy), stored.get(incident.id)?.postmortem ?? null);
      out.set(incident.id, { required: status.required, reason: status.reason });
    }
    return out;
  }

  // ----------------------------------------------------------------- helpers

  private async setOverride(incidentId: string, kind: 'requested' | 'waived', reason: string | null, actor: string): Promise<ReportView> {
    const detail = await this.loadIncident(incidentId);
    for (let attempt = 0; attempt < CAS_RETRIES; attempt++) {
      const stored = await this.loadStored(incidentId);
      const now = this.now();
      const next: StoredReport = {
        ...stored, postmortem: { kind, reason, by: actor, at: now }, revision: stored.revision + 1,
        createdAt: stored.createdAt ?? now, updatedAt: now, updatedBy: actor,
      };
      const before = stored.postmortem ? { kind: stored.postmortem.kind, reason: stored.postmortem.reason } : null;
      const audit = this.auditEntry(incidentId, kind === 'requested' ? 'postmortem.requested' : 'postmortem.waived', next.version, actor, now, [{ path: 'postmortem', from: before, to: { kind, reason } }]);
      const r = await this.deps.reports.commitReport({ expectedRevision: stored.revision, next, audit: [audit] });
      if (r.ok) return this.currentView(detail, r.report);
    }
    throw new ConflictError('the report kept changing while saving; try again');
  }

  private async commit(detail: IncidentDetail, stored: StoredReport, next: StoredReport, audit: ReportAuditEntry[], published?: PublishedReportVersion): Promise<StoredReport> {
    const r = await this.deps.reports.commitReport({ expectedRevision: stored.revision, next, audit, published });
    if (r.ok) return r.report;
    throw await this.staleError(detail, r.current ?? emptyStoredReport(detail.incident.id));
  }

  private async checkIfMatch(detail: IncidentDetail, stored: StoredReport, ifMatch: string | undefined, required: boolean): Promise<void> {
    if (ifMatch === undefined || ifMatch.trim() === '') {
      if (required) throw new PreconditionRequiredError(`send If-Match with the report's current ETag (${reportEtag(stored)}) so concurrent edits are not lost`);
      return;
    }
    // `*` matches whatever version is there now: as good as no If-Match for a lost-update check.
    if (required && namesAnyVersion(ifMatch)) {
      throw new PreconditionRequiredError(`If-Match: * matches any version and would overwrite others' edits; send the report's current ETag (${reportEtag(stored)})`);
    }
    if (!etagMatches(ifMatch, reportEtag(stored))) throw await this.staleError(detail, stored);
  }

  private async staleError(detail: IncidentDetail, current: StoredReport): Promise<StaleVersionError> {
    const view = await this.currentView(detail, current);
    return new StaleVersionError(
      `the report changed since you read it: it is now version ${view.version} with ETag ${view.etag}${current.updatedBy ? `, last changed by ${current.updatedBy}` : ''}`,
      { version: view.version, etag: view.etag, report: view },
    );
  }

  private async currentView(detail: IncidentDetail, stored: StoredReport): Promise<ReportView> {
    if (stored.status === 'published') {
      const snapshot = await this.deps.reports.getPublishedVersion(stored.incidentId, stored.version);
      // Request/waive writes after publication bump the revision: the snapshot is still the content.
      if (snapshot) return { ...snapshot.report, etag: reportEtag(stored), postmortem: this.postmortemStatus(detail, stored, this.now()) };
    }
    return this.liveView(detail, stored, this.now());
  }

  private async liveView(detail: IncidentDetail, stored: StoredReport, now: string): Promise<ReportView> {
    const actionItems = await this.allActionItems(detail.incident.id);
    const alertRules = (await this.deps.alertRules?.rulesFor(detail, new Date(now)).catch(() => null)) ?? [];
    const draft = buildReport(detail, this.deps.view, now, { mitigatedAt: stored.content.mitigatedAt?.time ?? null, alertRules });
    return composeReport({ draft, stored, actionItems, postmortem: this.postmortemStatus(detail, stored, now), generatedAt: now });
  }

  /** The draft's facts that need nothing people recorded (timeline entry ids, impact list). */
  private draft(detail: IncidentDetail, now = this.now()) {
    return buildReport(detail, this.deps.view, now);
  }

  private async allActionItems(incidentId: string): Promise<ActionItem[]> {
    const items: ActionItem[] = [];
    let cursor: string | null = null;
    do {
      const page: Page<ActionItem> = await this.deps.reports.listActionItems({ incidentId, limit: 500, cursor });
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return items.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  private async notifyPublished(published: PublishedReportVersion): Promise<void> {
    for (const listener of this.listeners) {
      try {
        await listener(published);
      } catch (err) {
        this.deps.logger?.error({ err: { message: (err as Error)?.message }, incidentId: published.incidentId, version: published.version }, 'report published listener failed');
      }
    }
  }

  private async notifyTransitioned(transition: ReportTransition): Promise<void> {
    for (const listener of this.transitionListeners) {
      try {
        await listener(transition);
      } catch (err) {
        this.deps.logger?.error({ err: { message: (err as Error)?.message }, incidentId: transition.incident.id, to: transition.to }, 'report transition listener failed');
      }
    }
  }

  private async loadIncident(id: string): Promise<IncidentDetail> {
    const detail = await this.deps.store.getIncident(id);
    if (!detail) throw new NotFoundError(`no incident "${id}"`);
    return detail;
  }

  private async loadStored(incidentId: string): Promise<StoredReport> {
    return (await this.deps.reports.getReport(incidentId)) ?? emptyStoredReport(incidentId);
  }

  private auditEntry(incidentId: string, action: ReportAuditAction, version: number, actor: string, at: string, changes: AuditChange[], actionItemId: string | null = null): ReportAuditEntry {
    return { id: this.newId(), incidentId, at, actor, action, version, actionItemId, changes };
  }

  private now(): string {
    return this.deps.clock().toISOString();
  }
}

/** `2 required parts are missing (sections.fix, customerSummary)`: the count and the field paths. */
function missingParts(missing: readonly { path: string }[]): string {
  return `${missing.length} required part${missing.length === 1 ? ' is' : 's are'} missing (${missing.map((m) => m.path).join(', ')})`;
}

/** A person's request or waiver wins over the policy; the policy's own answer stays visible. */
function withOverride(policy: PostmortemDecision, o: PostmortemOverride | null): PostmortemStatus {
  const who = o ? { reason: o.reason, by: o.by, at: o.at } : null;
  if (o?.kind === 'requested') return { required: true, reason: `requested by ${o.by}${o.reason ? `: ${o.reason}` : ''}`, policy, requested: who, waived: null };
  if (o?.kind === 'waived') return { required: false, reason: `waived by ${o.by}: ${o.reason ?? ''}`, policy, requested: null, waived: who };
  return { required: policy.required, reason: policy.reason, policy, requested: null, waived: null };
}


/** True when an If-Match header holds `*` (alone, or, invalidly, in a list). */
export function namesAnyVersion(ifMatch: string): boolean {
  return ifMatch.split(',').some((t) => t.trim() === '*');
}

/** RFC 9110 If-Match: a list of entity tags or `*`; weak tags never match (strong comparison). */
export function etagMatches(ifMatch: string, current: string): boolean {
  const tags = ifMatch.split(',').map((t) => t.trim()).filter(Boolean);
  if (tags.includes('*')) return true;
  // Clients that drop the quotes are forgiven: the tag has no other meaning.
  return tags.some((t) => !t.startsWith('W/') && (t === current || `"${t}"` === current));
}

