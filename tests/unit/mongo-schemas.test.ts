import { BSON, Binary, ObjectId } from 'mongodb';
import type { Alert } from '../../src/domain/alert';
import { COLLECTIONS } from '../../src/store/mongo/mongo-indexes';
import {
  CorruptDocumentError, alertDocSchema, auditDocSchema, eventDocSchema, inboxDocSchema, incidentDocSchema, newIncidentDoc, parseDoc, reportDocSchema,
  toAlert, toAlertDoc, toAuditDoc, toEvent, toEventDoc, toInboxEntry, toIncident, toReportDoc, toStoredReport,
} from '../../src/store/mongo/mongo-schemas';
import { newInboxDoc } from '../../src/store/mongo/mongo-queries';
import { emptyStoredReport } from '../../src/domain/report/report-model';

const alert: Alert = {
  id: 'a1', instance: 'alertmanager', source: 'alertmanager', fingerprint: 'fp1', fingerprintComputed: true, status: 'resolved',
  startsAt: '2024-05-01T10:00:00.000Z', endsAt: '2024-05-01T10:10:00.000Z',
  // Label names that could not be BSON field names are fine: maps are stored as pairs.
  labels: { alertname: 'Disk', 'kubernetes.io/node': 'n1', $weird: 'x' }, annotations: { 'a.b': 'c' },
  generatorUrl: null, sourceGroupKey: null, sourceGroupLabels: {}, incidentId: 'i1',
  decision: { kind: 'rule', rule: 'same-service', matched: { 'service.name': 'db' }, gapMs: 1000, explanation: 'x', decidedBy: 'debrief', decidedAt: 'T' },
  firstSeenAt: 'T', lastSeenAt: 'T', notificationCount: 3,
};

/** A document after a round trip through BSON with the store's client options (what a read returns). */
const stored = (doc: object): unknown => BSON.deserialize(BSON.serialize(doc, { ignoreUndefined: true }), { promoteBuffers: true });

describe('MongoDB documents', () => {
  it('when an alert is stored and read back, then it is the same alert, label names with dots and dollars included', () => {
    const doc = toAlertDoc(alert, ['svc:db']);
    expect(doc.labels).toEqual([['alertname', 'Disk'], ['kubernetes.io/node', 'n1'], ['$weird', 'x']]);
    expect(doc.decision.matched).toEqual([['service.name', 'db']]);
    expect(toAlert(parseDoc(COLLECTIONS.alerts, alertDocSchema, stored(doc)))).toEqual(alert);
  });

  it('when a split decision names the labels that set its alerts apart, then they are stored as pairs and read back', () => {
    const split: Alert = { ...alert, decision: { ...alert.decision, kind: 'human', rule: 'split', apart: { 'k8s.pod': 'p-2' }, decidedBy: 'erin' } };
    const doc = toAlertDoc(split, []);
    expect(doc.decision.apart).toEqual([['k8s.pod', 'p-2']]);
    expect(toAlert(parseDoc(COLLECTIONS.alerts, alertDocSchema, stored(doc)))).toEqual(split);
    expect(toAlertDoc(alert, []).decision).not.toHaveProperty('apart');
  });

  it('when an incident event is stored, then its data is JSON text, its alert id is queryable, and it reads back as written', () => {
    const doc = toEventDoc({ id: 'e1', incidentId: 'i1', at: 'T', kind: 'correlation.decided', actor: 'debrief', text: 't', data: { alertId: 'a1', nested: { 'x.y': [1, null] } } });
    expect(typeof doc.data).toBe('string');
    expect(doc.alertId).toBe('a1');
    expect(doc.ord).toBeInstanceOf(ObjectId);
    expect(toEvent(parseDoc(COLLECTIONS.incidentEvents, eventDocSchema, stored(doc)))).toEqual({
      id: 'e1', incidentId: 'i1', at: 'T', kind: 'correlation.decided', actor: 'debrief', text: 't', data: { alertId: 'a1', nested: { 'x.y': [1, null] } },
    });
  });

  it('when an inbox entry is stored, then the body reads back as the same bytes in a Buffer', () => {
    const body = Buffer.from([0, 1, 2, 255]);
    const doc = newInboxDoc('e1', 1, { instance: 'am', connector: 'alertmanager', receivedAt: 'T', headers: {}, body, deliveryId: null });
    const entry = toInboxEntry(parseDoc(COLLECTIONS.inbox, inboxDocSchema, stored(doc)));
    expect(Buffer.isBuffer(entry.body) && entry.body.equals(body)).toBe(true);
  });

  it('when an inbox body comes back as a BSON Binary (no promoteBuffers), then it is still a Buffer with the same bytes', () => {
    const body = Buffer.from('{"alerts":[]}');
    const doc = { ...newInboxDoc('e1', 1, { instance: 'am', connector: 'alertmanager', receivedAt: 'T', headers: { a: 'b' }, body, deliveryId: 'd1' }), body: new Binary(body) };
    const entry = toInboxEntry(parseDoc(COLLECTIONS.inbox, inboxDocSchema, doc));
    expect(Buffer.isBuffer(entry.body)).toBe(true);
    expect(entry.body.equals(body)).toBe(true);
    expect(entry).toMatchObject({ id: 'e1', seq: 1, headers: { a: 'b' }, deliveryId: 'd1', bodyBytes: body.length, state: 'pending' });
  });

  it('when an inbox document from before requeues were recorded is read, then it has no requeues; recorded ones read back oldest first', () => {
    const { requeues: _none, ...legacy } = newInboxDoc('e1', 1, { instance: 'am', connector: 'alertmanager', receivedAt: 'T', headers: {}, body: Buffer.from('{}'), deliveryId: null });
    expect('requeues' in legacy).toBe(false);
    expect(toInboxEntry(parseDoc(COLLECTIONS.inbox, inboxDocSchema, stored(legacy))).requeues).toEqual([]);
    const requeued = { ...legacy, requeues: [{ at: 'T1', actor: 'alice' }, { at: 'T2', actor: 'bob' }] };
    expect(toInboxEntry(parseDoc(COLLECTIONS.inbox, inboxDocSchema, stored(requeued))).requeues).toEqual([{ at: 'T1', actor: 'alice' }, { at: 'T2', actor: 'bob' }]);
    expect(() => parseDoc(COLLECTIONS.inbox, inboxDocSchema, stored({ ...legacy, requeues: [{ at: 'T1' }] }))).toThrow(/requeues\.0\.actor/);
  });

  it('when a stored report is read back, then it is the record as written, fields unknown to the schema kept', () => {
    const report = { ...emptyStoredReport('i1'), revision: 1, updatedAt: 'T', updatedBy: 'alice', futureField: { kept: true } };
    const back = toStoredReport(parseDoc(COLLECTIONS.reports, reportDocSchema, stored(toReportDoc(report))));
    expect(back).toEqual(report);
    expect(back).not.toHaveProperty('_id');
  });

  it('when audit changes are stored, then they read back as the same array', () => {
    const entry = { id: 'x', incidentId: 'i1', at: 'T', actor: 'a', action: 'report.updated' as const, version: 1, actionItemId: null, changes: [{ path: 'sections.fix', from: null, to: 'text' }] };
    expect(parseDoc(COLLECTIONS.reportAudit, auditDocSchema, stored(toAuditDoc(entry, 3)))).toMatchObject({ seq: 3, changes: entry.changes });
  });

  it('when a new incident document is made, then it validates and maps to an open incident', () => {
    const doc = newIncidentDoc('i1', 'S', 'N', 'rule', false);
    expect(toIncident(parseDoc(COLLECTIONS.incidents, incidentDocSchema, doc))).toMatchObject({ id: 'i1', status: 'open', startedAt: 'S', alertCount: 0, mergedInto: null });
  });
});

describe('corrupt MongoDB documents', () => {
  const corrupt = (fn: () => unknown): CorruptDocumentError => {
    try {
      fn();
    } catch (err) {
      if (err instanceof CorruptDocumentError) return err;
      throw err;
    }
    throw new Error('expected a CorruptDocumentError');
  };

  it('when a field has the wrong type, then the error names the collection, the document and the field', () => {
    const doc = { ...toAlertDoc(alert, []), startsAt: 42 };
    const err = corrupt(() => parseDoc(COLLECTIONS.alerts, alertDocSchema, doc));
    expect(err.collection).toBe('alerts');
    expect(err.field).toBe('startsAt');
    expect(err.message).toMatch(/^corrupt document in MongoDB collection "alerts" \(_id "a1"\): field "startsAt": /);
  });

  it('when a field is missing deep inside, then its full path is named', () => {
    const doc = toAlertDoc(alert, []);
    const { explanation: _gone, ...decision } = doc.decision;
    const err = corrupt(() => parseDoc(COLLECTIONS.alerts, alertDocSchema, { ...doc, decision }));
    expect(err.field).toBe('decision.explanation');
  });

  it('when an enum field holds an unknown value, then it is refused', () => {
    const err = corrupt(() => parseDoc(COLLECTIONS.incidents, incidentDocSchema, { ...newIncidentDoc('i1', 'S', 'N', 'rule', false), status: 'closed' }));
    expect(err.message).toContain('field "status"');
  });

  it('when JSON text is not JSON, then the error says so for that field', () => {
    const doc = { ...toEventDoc({ id: 'e1', incidentId: 'i1', at: 'T', kind: 'k', actor: null, text: 't', data: {} }), data: '{not json' };
    const err = corrupt(() => parseDoc(COLLECTIONS.incidentEvents, eventDocSchema, doc));
    expect(err.field).toBe('data');
    expect(err.message).toContain('not JSON text');
  });

  it('when a label pair is not a pair of strings, then the element is named', () => {
    const doc = { ...toAlertDoc(alert, []), labels: [['alertname', 'Disk'], ['severity', 3]] };
    expect(corrupt(() => parseDoc(COLLECTIONS.alerts, alertDocSchema, doc)).field).toBe('labels.1.1');
  });

  it('when the document is not a document at all, then the error says which collection it came from', () => {
    const err = corrupt(() => parseDoc(COLLECTIONS.reports, reportDocSchema, null));
    expect(err.message).toMatch(/^corrupt document in MongoDB collection "reports" \(_id \(none\)\): field "\(document\)"/);
  });

  it('when the id is an ObjectId, then it is shown as hex', () => {
    const id = new ObjectId('65f000000000000000000001');
    const err = corrupt(() => parseDoc(COLLECTIONS.correlationKeys, incidentDocSchema, { _id: id }));
    expect(err.documentId).toBe('65f000000000000000000001');
  });
});
