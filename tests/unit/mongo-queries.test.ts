import { decodeCursor, encodeCursor, toPage } from '../../src/store/cursor';
import {
  CLAIM_SORT, actionItemCursor, actionItemListQuery, alertIdentityFilter, alertInsertUpsert, alertResendUpdate,
  auditListQuery, candidateFilter, claimFilter, claimUpdate, completeUpdate, failUpdate, inboxListQuery, incidentCursor,
  incidentListQuery, keyHolderUpsert, latestPublishedQuery, leaseUntil, lockBump, newInboxDoc, ownedEntryFilter, reportCasFilter, requeueFilter, requeueUpdate,
} from '../../src/store/mongo/mongo-queries';
import { toAlertDoc } from '../../src/store/mongo/mongo-schemas';
import { alertAfterResend, type Alert } from '../../src/domain/alert';

const alert = (over: Partial<Alert> = {}): Alert => ({
  id: 'a1', instance: 'alertmanager', source: 'alertmanager', fingerprint: 'fp1', fingerprintComputed: false, status: 'firing',
  startsAt: '2024-05-01T10:00:00.000Z', endsAt: null, labels: { alertname: 'HighLatency', service: 'checkout' }, annotations: { summary: 'slow' },
  generatorUrl: 'http://prom/graph', sourceGroupKey: '{}:{alertname="HighLatency"}', sourceGroupLabels: { alertname: 'HighLatency' },
  incidentId: 'i1',
  decision: { kind: 'new-incident', rule: null, matched: {}, gapMs: null, explanation: 'new', decidedBy: 'debrief', decidedAt: '2024-05-01T10:00:05.000Z' },
  firstSeenAt: '2024-05-01T10:00:05.000Z', lastSeenAt: '2024-05-01T10:00:05.000Z', notificationCount: 1, ...over,
});

describe('inbox claim', () => {
  it('when entries are claimed at a time, then the filter takes pending entries with a free or expired lease only', () => {
    expect(claimFilter('2024-05-01T10:00:00.000Z')).toEqual({
      state: 'pending',
      $or: [{ leaseUntil: null }, { leaseUntil: { $lt: '2024-05-01T10:00:00.000Z' } }],
    });
    expect(CLAIM_SORT).toEqual({ seq: 1 });
  });

  it('when an entry is claimed, then the update sets owner and lease end and counts the attempt', () => {
    const until = leaseUntil('2024-05-01T10:00:00.000Z', 30_000);
    expect(until).toBe('2024-05-01T10:00:30.000Z');
    expect(claimUpdate('replica-a', until)).toEqual({ $set: { leaseOwner: 'replica-a', leaseUntil: '2024-05-01T10:00:30.000Z' }, $inc: { attempts: 1 } });
  });

  it('when an entry is completed or failed, then only its lease owner can settle it', () => {
    expect(ownedEntryFilter('e1', 'replica-a')).toEqual({ _id: 'e1', leaseOwner: 'replica-a' });
    expect(completeUpdate({ alerts: 2, ignoredReason: null }, 'T')).toEqual({
      $set: { state: 'done', processedAt: 'T', outcome: { alerts: 2, ignoredReason: null }, leaseOwner: null, leaseUntil: null, lastError: null },
    });
  });

  it('when an attempt fails, then a retryable failure keeps the lease (back-off) and a dead one records when', () => {
    expect(failUpdate('parse error', false, 'T')).toEqual({ $set: { state: 'pending', lastError: 'parse error' } });
    expect(failUpdate('parse error', true, 'T')).toEqual({ $set: { state: 'dead', lastError: 'parse error', processedAt: 'T' } });
  });

  it('when a dead letter is requeued, then only a dead entry matches and it becomes pending with a fresh lease and count, recording who requeued it', () => {
    expect(requeueFilter('e1')).toEqual({ _id: 'e1', state: 'dead' });
    expect(requeueUpdate({ actor: 'alice', now: 'T' })).toEqual({
      $set: { state: 'pending', leaseOwner: null, leaseUntil: null, attempts: 0 },
      $push: { requeues: { at: 'T', actor: 'alice' } },
    });
  });

  it('when a body is appended, then the document keeps its bytes, size and headers as pairs', () => {
    const body = Buffer.from('{"a":1}');
    const doc = newInboxDoc('e1', 7, { instance: 'am', connector: 'alertmanager', receivedAt: 'T', headers: { 'user-agent': 'Alertmanager/0.27' }, body, deliveryId: null });
    expect(doc).toMatchObject({ _id: 'e1', seq: 7, body, bodyBytes: 7, headers: [['user-agent', 'Alertmanager/0.27']], state: 'pending', attempts: 0, leaseUntil: null });
  });
});

describe('inbox list', () => {
  it('when listing without a cursor, then newest first with one extra document to detect a next page', () => {
    expect(inboxListQuery({ limit: 20 })).toEqual({ filter: {}, sort: { seq: -1 }, limit: 21 });
  });

  it('when listing by state after a cursor, then both conditions apply', () => {
    expect(inboxListQuery({ state: 'dead', limit: 5, cursor: encodeCursor({ seq: 40 }) })).toEqual({
      filter: { $and: [{ state: 'dead' }, { seq: { $lt: 40 } }] }, sort: { seq: -1 }, limit: 6,
    });
  });

  it('when the cursor is not one of ours, then it is a validation error', () => {
    expect(() => inboxListQuery({ limit: 5, cursor: 'garbage' })).toThrow('invalid cursor');
  });
});

describe('alert upsert', () => {
  it('when a new alert is written, then the filter is its identity and every field is set on insert only', () => {
    const doc = toAlertDoc(alert(), ['rule:same-alertmanager-group:x']);
    const u = alertInsertUpsert(doc);
    expect(u.filter).toEqual({ instance: 'alertmanager', fingerprint: 'fp1', startsAt: '2024-05-01T10:00:00.000Z' });
    expect(u.filter).toEqual(alertIdentityFilter(alert()));
    expect(u.update).toEqual({ $setOnInsert: doc });
    expect(Object.keys(u.update)).toEqual(['$setOnInsert']);
    expect(u.upsert).toBe(true);
  });

  it('when a firing alert is re-sent as resolved, then status, end, annotations and bookkeeping change and nothing else', () => {
    const next = alertAfterResend(alert(), { ...alert(), status: 'resolved', endsAt: '2024-05-01T10:20:00.000Z', annotations: { summary: 'ok' } }, '2024-05-01T10:21:00.000Z');
    expect(next).toMatchObject({ status: 'resolved', endsAt: '2024-05-01T10:20:00.000Z', lastSeenAt: '2024-05-01T10:21:00.000Z', notificationCount: 2, incidentId: 'i1' });
    expect(alertResendUpdate(next)).toEqual({
      $set: {
        status: 'resolved', endsAt: '2024-05-01T10:20:00.000Z', annotations: [['summary', 'ok']], generatorUrl: 'http://prom/graph',
        lastSeenAt: '2024-05-01T10:21:00.000Z', notificationCount: 2,
      },
    });
  });

  it('when a late "firing" re-send arrives after the resolution, then the alert stays resolved', () => {
    const resolved = alert({ status: 'resolved', endsAt: '2024-05-01T10:20:00.000Z', lastSeenAt: '2024-05-01T10:21:00.000Z', notificationCount: 2 });
    const next = alertAfterResend(resolved, { ...resolved, status: 'firing', endsAt: null }, '2024-05-01T10:19:00.000Z');
    expect(next.status).toBe('resolved');
    expect(next.endsAt).toBe('2024-05-01T10:20:00.000Z');
    // Processing time never goes backwards.
    expect(next.lastSeenAt).toBe('2024-05-01T10:21:00.000Z');
  });
});

describe('correlation candidates', () => {
  it('when an alert starts at t, then keys match activity ending at or after t - lookback and starting at or before t + lookback', () => {
    expect(candidateFilter(['rule:g:1'], '2024-05-01T10:00:00.000Z', 30 * 60_000)).toEqual({
      key: 'rule:g:1', activeUntil: { $gte: '2024-05-01T09:30:00.000Z' }, firstAt: { $lte: '2024-05-01T10:30:00.000Z' },
    });
  });

  it('when there are several keys with page keys among them, then page keys match whenever and the others by window', () => {
    expect(candidateFilter(['rule:g:1', 'page:pd:P1', 'pdkey:ab', 'rule:g:1'], '2024-05-01T10:00:00.000Z', 60_000)).toEqual({
      $or: [
        { key: { $in: ['rule:g:1', 'pdkey:ab'] }, activeUntil: { $gte: '2024-05-01T09:59:00.000Z' }, firstAt: { $lte: '2024-05-01T10:01:00.000Z' } },
        { key: 'page:pd:P1' },
      ],
    });
  });

  it('when there is no key, then there is no query', () => {
    expect(candidateFilter([], '2024-05-01T10:00:00.000Z', 60_000)).toBeNull();
  });

  it('when an alert is placed, then its keys gain a holder: its onset widens the span and its depth may lower the key\'s, in one upsert each', () => {
    expect(keyHolderUpsert('rule:g:1', 'i1', { onset: 'A', firing: 1, depth: 1 })).toEqual({
      filter: { key: 'rule:g:1', incidentId: 'i1' },
      update: { $min: { firstAt: 'A', depth: 1 }, $max: { lastAt: 'A', activeUntil: 'A' }, $inc: { firing: 1, holders: 1 } },
      upsert: true,
    });
  });

  it('when a transaction decides on a key, then it bumps that key\'s lock document (created on first use, kept alive for the TTL)', () => {
    const at = new Date('2024-05-01T10:00:00.000Z');
    expect(lockBump('rule:g:1', at)).toEqual({ filter: { _id: 'rule:g:1' }, update: { $inc: { v: 1 }, $set: { touchedAt: at } }, upsert: true });
  });

});

describe('incident list', () => {
  it('when no status is asked for, then merged incidents are left out and the order is newest start, then id', () => {
    expect(incidentListQuery({ limit: 10 })).toEqual({ filter: { status: { $ne: 'merged' } }, sort: { startedAt: -1, _id: -1 }, limit: 11 });
  });

  it('when every filter and a cursor are given, then they combine with AND and the cursor continues after the last item', () => {
    const cursor = encodeCursor(incidentCursor({ startedAt: '2024-05-01T10:00:00.000Z', id: 'i9' }));
    expect(incidentListQuery({ status: 'open', severity: 'critical', service: 'checkout', since: 'S', until: 'U', limit: 2, cursor }).filter).toEqual({
      $and: [
        { status: 'open' },
        { severity: 'critical' },
        { services: 'checkout' },
        { $or: [{ endedAt: null }, { endedAt: { $gte: 'S' } }] },
        { startedAt: { $lt: 'U' } },
        { $or: [{ startedAt: { $lt: '2024-05-01T10:00:00.000Z' } }, { startedAt: '2024-05-01T10:00:00.000Z', _id: { $lt: 'i9' } }] },
      ],
    });
  });

  it('when a page is cut from limit + 1 documents, then the cursor names the last item shown, and none without more', () => {
    const full = toPage([{ startedAt: 'c', id: '3' }, { startedAt: 'b', id: '2' }, { startedAt: 'a', id: '1' }], 2, incidentCursor);
    expect(full.items.map((i) => i.id)).toEqual(['3', '2']);
    expect(decodeCursor(full.nextCursor!)).toEqual({ s: 'b', id: '2' });
    expect(toPage([{ startedAt: 'c', id: '3' }], 2, incidentCursor).nextCursor).toBeNull();
  });
});

describe('report queries', () => {
  it('when a report is committed, then the write matches only the expected revision', () => {
    expect(reportCasFilter('i1', 4)).toEqual({ _id: 'i1', revision: 4 });
  });

  it('when the status page lists reports, then only each incident\'s latest version, newest publication first, with a cursor', () => {
    expect(latestPublishedQuery({ limit: 3 })).toEqual({ filter: { latest: true }, sort: { publishedAt: -1, incidentId: -1 }, limit: 4 });
    expect(latestPublishedQuery({ limit: 3, cursor: encodeCursor({ p: 'P', id: 'i2' }) }).filter).toEqual({
      $and: [{ latest: true }, { $or: [{ publishedAt: { $lt: 'P' } }, { publishedAt: 'P', incidentId: { $lt: 'i2' } }] }],
    });
  });

  it('when the audit trail is paged, then entries after the cursor\'s seq come oldest first', () => {
    expect(auditListQuery('i1', { limit: 50 })).toEqual({ filter: { incidentId: 'i1', seq: { $gt: 0 } }, sort: { seq: 1 }, limit: 51 });
    expect(auditListQuery('i1', { limit: 50, cursor: encodeCursor({ seq: 12 }) }).filter).toEqual({ incidentId: 'i1', seq: { $gt: 12 } });
  });

  it('when action items are filtered and paged, then due date orders (undated last), then creation, then id', () => {
    const cursor = encodeCursor(actionItemCursor({ dueDate: null, createdAt: 'C', id: 'x' }));
    expect(actionItemListQuery({ incidentId: 'i1', statuses: ['open', 'in_progress'], dueBefore: '2024-06-01', limit: 10, cursor })).toEqual({
      filter: {
        $and: [
          { incidentId: 'i1' },
          { status: { $in: ['open', 'in_progress'] } },
          { dueDate: { $type: 'string', $lt: '2024-06-01' } },
          { $or: [{ dueKey: { $gt: '9999-12-31' } }, { dueKey: '9999-12-31', createdAt: { $gt: 'C' } }, { dueKey: '9999-12-31', createdAt: 'C', _id: { $gt: 'x' } }] },
        ],
      },
      sort: { dueKey: 1, createdAt: 1, _id: 1 },
      limit: 11,
    });
  });
});
