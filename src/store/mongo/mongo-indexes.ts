import type { Collection, CreateIndexesOptions, Db, Document, IndexSpecification, ObjectId } from 'mongodb';

/** Collection names, in one place (error messages and tests use them too). */
export const COLLECTIONS = {
  inbox: 'inbox',
  incidents: 'incidents',
  alerts: 'alerts',
  incidentEvents: 'incident_events',
  correlationKeys: 'correlation_keys',
  incidentFacets: 'incident_facets',
  storeMeta: 'store_meta',
  correlationLocks: 'correlation_locks',
  incidentFences: 'incident_fences',
  pagingEvents: 'paging_events',
  counters: 'counters',
  reports: 'reports',
  reportVersions: 'report_versions',
  reportAudit: 'report_audit',
  actionItems: 'action_items',
  pendingCarryOvers: 'report_pending_carry_overs',
  reportAutosaves: 'report_autosaves',
  deliveries: 'outbound_deliveries',
  rememberedLinks: 'remembered_links',
  changes: 'changes',
  chatMessages: 'chat_messages',
} as const;

export type CollectionName = keyof typeof COLLECTIONS;
/** Documents as the driver sees them: ids are strings (uuids, keys) or server-made ObjectIds. */
export interface StoredDoc extends Document {
  _id?: string | ObjectId;
}
export type MongoCollections = { [K in CollectionName]: Collection<StoredDoc> };

export function collectionsOf(db: Db): MongoCollections {
  return Object.fromEntries(Object.entries(COLLECTIONS).map(([key, name]) => [key, db.collection<StoredDoc>(name)])) as MongoCollections;
}

export interface IndexPlan {
  collection: string;
  key: IndexSpecification;
  options: CreateIndexesOptions & { name: string };
}

/** Lock documents untouched this long are removed by the server (they are recreated on use). */
export const CORRELATION_LOCK_TTL_SECONDS = 7 * 24 * 3600;

/**
 * Every index, named, so start-up can create them idempotently: `createIndexes` with the same
 * name and spec is a no-op; a changed spec under an existing name fails loudly (drop it by hand).
 */
export const INDEX_PLAN: readonly IndexPlan[] = [
  // inbox: FIFO claim scan, listing, and one entry per (instance, delivery id) when the sender names deliveries.
  { collection: COLLECTIONS.inbox, key: { seq: 1 }, options: { name: 'inbox_seq', unique: true } },
  { collection: COLLECTIONS.inbox, key: { state: 1, seq: 1 }, options: { name: 'inbox_state_seq' } },
  {
    collection: COLLECTIONS.inbox, key: { instance: 1, deliveryId: 1 },
    options: { name: 'inbox_delivery', unique: true, partialFilterExpression: { deliveryId: { $type: 'string' } } },
  },

  // incidents: newest-first lists, by status, by service.
  { collection: COLLECTIONS.incidents, key: { startedAt: -1, _id: -1 }, options: { name: 'incidents_started' } },
  { collection: COLLECTIONS.incidents, key: { status: 1, startedAt: -1, _id: -1 }, options: { name: 'incidents_status_started' } },
  { collection: COLLECTIONS.incidents, key: { services: 1, startedAt: -1, _id: -1 }, options: { name: 'incidents_service_started' } },
  {
    collection: COLLECTIONS.incidents, key: { mergedInto: 1 },
    options: { name: 'incidents_merged_into', partialFilterExpression: { mergedInto: { $type: 'string' } } },
  },

  // alerts: identity (the upsert key), an incident's alerts, an instance's firing alerts.
  { collection: COLLECTIONS.alerts, key: { instance: 1, fingerprint: 1, startsAt: 1 }, options: { name: 'alerts_identity', unique: true } },
  { collection: COLLECTIONS.alerts, key: { incidentId: 1, startsAt: 1 }, options: { name: 'alerts_incident' } },
  { collection: COLLECTIONS.alerts, key: { instance: 1, status: 1, startsAt: 1 }, options: { name: 'alerts_instance_status' } },

  { collection: COLLECTIONS.incidentEvents, key: { incidentId: 1, at: 1, ord: 1 }, options: { name: 'incident_events_incident' } },
  {
    collection: COLLECTIONS.incidentEvents, key: { incidentId: 1, alertId: 1 },
    options: { name: 'incident_events_alert', partialFilterExpression: { alertId: { $type: 'string' } } },
  },

  // correlation keys: candidate lookup is one indexed range scan per key.
  { collection: COLLECTIONS.correlationKeys, key: { key: 1, incidentId: 1 }, options: { name: 'correlation_keys_key_incident', unique: true } },
  { collection: COLLECTIONS.correlationKeys, key: { key: 1, activeUntil: 1 }, options: { name: 'correlation_keys_active' } },
  { collection: COLLECTIONS.correlationKeys, key: { incidentId: 1 }, options: { name: 'correlation_keys_incident' } },
  // facets: by incident (summaries, impact lists, timeline groups, merges).
  { collection: COLLECTIONS.incidentFacets, key: { incidentId: 1 }, options: { name: 'incident_facets_incident' } },
  { collection: COLLECTIONS.correlationLocks, key: { touchedAt: 1 }, options: { name: 'correlation_locks_ttl', expireAfterSeconds: CORRELATION_LOCK_TTL_SECONDS } },

  { collection: COLLECTIONS.incidentFences, key: { incidentId: 1, otherId: 1 }, options: { name: 'incident_fences_pair', unique: true } },
  { collection: COLLECTIONS.incidentFences, key: { otherId: 1 }, options: { name: 'incident_fences_other' } },

  { collection: COLLECTIONS.pagingEvents, key: { instance: 1, eventId: 1 }, options: { name: 'paging_events_identity', unique: true } },
  { collection: COLLECTIONS.pagingEvents, key: { incidentId: 1, occurredAt: 1 }, options: { name: 'paging_events_incident' } },
  { collection: COLLECTIONS.pagingEvents, key: { instance: 1, pageId: 1, kind: 1 }, options: { name: 'paging_events_change' } },

  // reports (`_id` = incident id) and their companions.
  { collection: COLLECTIONS.reportVersions, key: { incidentId: 1, version: 1 }, options: { name: 'report_versions_incident_version', unique: true } },
  {
    collection: COLLECTIONS.reportVersions, key: { publishedAt: -1, incidentId: -1 },
    options: { name: 'report_versions_latest', partialFilterExpression: { latest: true } },
  },
  { collection: COLLECTIONS.reportAudit, key: { incidentId: 1, seq: 1 }, options: { name: 'report_audit_incident_seq', unique: true } },
  { collection: COLLECTIONS.actionItems, key: { incidentId: 1, dueKey: 1, createdAt: 1, _id: 1 }, options: { name: 'action_items_incident' } },
  { collection: COLLECTIONS.actionItems, key: { status: 1, dueKey: 1, createdAt: 1, _id: 1 }, options: { name: 'action_items_status_due' } },
  { collection: COLLECTIONS.actionItems, key: { dueKey: 1, createdAt: 1, _id: 1 }, options: { name: 'action_items_due' } },
  // A tracker's webhook names its issue: the items linked to it.
  {
    collection: COLLECTIONS.actionItems, key: { trackerKind: 1, trackerKey: 1 },
    options: { name: 'action_items_tracker', partialFilterExpression: { trackerKind: { $type: 'string' } } },
  },
  { collection: COLLECTIONS.pendingCarryOvers, key: { targetId: 1, requestedAt: 1, _id: 1 }, options: { name: 'report_pending_carry_overs_target' } },

  { collection: COLLECTIONS.deliveries, key: { incidentId: 1, createdAt: 1 }, options: { name: 'outbound_deliveries_incident' } },
  { collection: COLLECTIONS.deliveries, key: { status: 1, createdAt: 1 }, options: { name: 'outbound_deliveries_pending' } },
  // remembered links: listed most recent first (the _id is the service pair).
  { collection: COLLECTIONS.rememberedLinks, key: { lastAt: -1, _id: 1 }, options: { name: 'remembered_links_last' } },

  // changes (`_id` = the change's key): linked to incidents by time.
  { collection: COLLECTIONS.changes, key: { at: 1, _id: 1 }, options: { name: 'changes_at' } },

  // chat candidates (`_id` = incident and message id): listed per incident in time order.
  { collection: COLLECTIONS.chatMessages, key: { incidentId: 1, at: 1, id: 1 }, options: { name: 'chat_messages_incident' } },

  // search (mongo-search-store.ts): one text index per collection searched (MongoDB allows one).
  // `language_override` names a field no document has, so a `language` field could never change the stemming.
  { collection: COLLECTIONS.incidents, key: { title: 'text' }, options: { name: 'incidents_text', default_language: 'english', language_override: 'searchLanguage' } },
  {
    collection: COLLECTIONS.reports,
    key: {
      'content.sections.summary.text': 'text', 'content.sections.timeline.text': 'text', 'content.sections.what-happened.text': 'text',
      'content.sections.fix.text': 'text', 'content.sections.prevention.text': 'text', 'content.customerSummary.text': 'text', 'content.timelineEntries.text': 'text',
    },
    options: { name: 'reports_text', default_language: 'english', language_override: 'searchLanguage' },
  },
  { collection: COLLECTIONS.actionItems, key: { title: 'text' }, options: { name: 'action_items_text', default_language: 'english', language_override: 'searchLanguage' } },
];

/**
 * Creates the missing collections, then every index. Collections are created up front because
 * a multi-document transaction may not be able to create one implicitly (MongoDB < 4.4, or
 * under concurrent creation), and the transactions here write to most of them.
 * Idempotent; safe when several replicas start at once (a concurrent "already exists" is ignored).
 */
export async function ensureCollectionsAndIndexes(db: Db, names: readonly string[] = Object.values(COLLECTIONS)): Promise<void> {
  const existing = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((collection) => collection.name));
  for (const name of names) {
    if (existing.has(name)) continue;
    try {
      await db.createCollection(name);
    } catch (err) {
      // NamespaceExists (48): another replica created it in between.
      if ((err as { code?: unknown }).code !== 48) throw err;
    }
  }
  const wanted = new Set(names);
  const byCollection = new Map<string, IndexPlan[]>();
  for (const plan of INDEX_PLAN) {
    if (!wanted.has(plan.collection)) continue;
    (byCollection.get(plan.collection) ?? byCollection.set(plan.collection, []).get(plan.collection)!).push(plan);
  }
  for (const [collection, plans] of byCollection) {
    await db.collection(collection).createIndexes(plans.map((plan) => ({ key: plan.key as Document, ...plan.options })));
  }
}
