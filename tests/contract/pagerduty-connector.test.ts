import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { NormalizeError, type NormalizeContext } from '../../connectors/connector';
import { pagerdutyConnector } from '../../connectors/pagerduty/pagerduty.connector';
import {
  detectLegacyPagerDuty,
  pagerdutyLogEntrySchema,
  pagerdutyNoteSchema,
  pagerdutyPayloadSchema,
  pagerdutyRestIncidentSchema,
  type PagerDutyPayload,
} from '../../connectors/pagerduty/pagerduty.payload';
import {
  logEntryKind,
  logEntryToPagingEvent,
  noteToPagingEvent,
  normalizePagerDuty,
  pageRefFromRestIncident,
  toUtcIso,
} from '../../connectors/pagerduty/pagerduty.normalize';

const FIXTURES = join(__dirname, '..', '..', 'connectors', 'pagerduty', 'fixtures');
const ctx: NormalizeContext = { instance: 'pagerduty', receivedAt: '2026-11-26T15:00:00.000Z' };

const readJson = (...parts: string[]): unknown => JSON.parse(readFileSync(join(FIXTURES, ...parts), 'utf8'));
const jsonFiles = (dir: string): string[] =>
  readdirSync(dir).filter((f) => f.endsWith('.json') && !f.endsWith('.expected.json')).sort();

const parse = (body: unknown): PagerDutyPayload => pagerdutyPayloadSchema.parse(body);

/** A V3 envelope around a docs `event.data` object, as PagerDuty would send it. */
function envelope(eventType: string, data: unknown, extra: Record<string, unknown> = {}): unknown {
  return {
    event: {
      id: `synthetic-${eventType}`,
      event_type: eventType,
      resource_type: eventType.split('.')[0],
      occurred_at: '2026-11-26T14:00:00.000Z',
      agent: null,
      client: null,
      data,
      ...extra,
    },
  };
}

describe('PagerDuty V3 envelope fixtures', () => {
  const envelopes = jsonFiles(FIXTURES);

  it('has an expected output for every envelope fixture', () => {
    expect(envelopes.length).toBeGreaterThanOrEqual(15);
    for (const name of envelopes) {
      expect(readdirSync(FIXTURES)).toContain(name.replace(/\.json$/, '.expected.json'));
    }
  });

  it.each(envelopes)('%s passes the schema and normalizes to its expected output', (name) => {
    const result = pagerdutyPayloadSchema.safeParse(readJson(name));
    expect(result.success).toBe(true);
    const normalized = pagerdutyConnector.normalize(result.data!, ctx);
    expect(normalized).toEqual(readJson(name.replace(/\.json$/, '.expected.json')));
  });
});

describe('PagerDuty V3 data objects from the docs, wrapped in synthetic envelopes', () => {
  // docs 01-Overview.md "Event Data Types" -> one event type that carries each.
  const eventTypeFor: Record<string, string> = {
    incident: 'incident.triggered',
    incident_note: 'incident.annotated',
    incident_responder: 'incident.responder.added',
    incident_status_update: 'incident.status_update_published',
    incident_conference_bridge: 'incident.conference_bridge.updated',
    incident_field_values: 'incident.custom_field_values.updated',
    incident_role_assignment: 'incident.role.assigned',
    incident_task: 'incident.task.created',
    incident_action_invocation: 'incident.action_invocation.created',
    incident_workflow_instance: 'incident.workflow.started',
    service: 'service.updated',
    service_field_values: 'service.custom_field_values.updated',
  };
  const files = jsonFiles(join(FIXTURES, 'data-objects'));

  it.each(files)('%s normalizes without throwing', (name) => {
    const data = readJson('data-objects', name) as { type: string };
    const eventType = eventTypeFor[data.type];
    expect(eventType).toBeDefined();
    const out = normalizePagerDuty(parse(envelope(eventType!, data)), ctx);
    if (eventType!.startsWith('service.')) {
      expect(out.pagingEvents).toEqual([]);
      expect(out.ignoredReason).toMatch(/service event/);
      return;
    }
    expect(out.ignoredReason).toBeNull();
    expect(out.pagingEvents).toHaveLength(1);
    const [event] = out.pagingEvents;
    expect(event!.kind).toBe(eventType!.slice('incident.'.length));
    expect(event!.page.id).toMatch(/^[A-Z0-9]+$/);
    expect(event!.text.length).toBeGreaterThan(0);
    expect(event!.actor).toBeNull();
  });

  it('reads each shape the way a person would', () => {
    const texts = Object.fromEntries(
      files.map((name) => {
        const data = readJson('data-objects', name) as { type: string };
        const out = normalizePagerDuty(parse(envelope(eventTypeFor[data.type]!, data)), ctx);
        return [data.type, out.pagingEvents[0]?.text ?? out.ignoredReason];
      }),
    );
    expect(texts).toMatchObject({
      incident: 'Triggered: A little bump in the road',
      incident_note: 'I sure am glad we are using PagerDuty!',
      incident_responder: 'Responder requested: Maeve — Please help me make the tests pass',
      incident_status_update: 'A fix for this incident is being developed',
      incident_conference_bridge: 'Conference bridge updated: https://example.com, +1-555-555-5555',
      incident_field_values: 'Custom fields changed: environment: staging → production',
      incident_role_assignment: 'Role assigned: Role Display Name → User 1810194',
      incident_task: 'Task created: A thing that needs to be done',
      incident_action_invocation: 'Automation action A Helpful Action created',
      incident_workflow_instance: 'Workflow A Workflow Name started',
    });
  });

  it('takes the page from data.incident for non-incident data, with a null summary tolerated', () => {
    const out = normalizePagerDuty(parse(envelope('incident.task.created', readJson('data-objects', 'pd-docs-data-incident_task.json'))), ctx);
    expect(out.pagingEvents[0]!.page).toEqual({
      id: 'Q0SDD3HB6SGFTI',
      number: null,
      title: null,
      url: 'https://acme.pagerduty.com/incidents/Q0SDD3HB6SGFTI',
      status: null,
      urgency: null,
      priority: null,
      serviceId: null,
      serviceName: null,
      incidentKey: null,
    });
  });

  it('maps the full docs incident object to a page ref', () => {
    const out = normalizePagerDuty(parse(envelope('incident.reopened', readJson('data-objects', 'pd-docs-data-incident.json'))), ctx);
    expect(out.pagingEvents[0]).toMatchObject({
      kind: 'reopened',
      vendorType: 'incident.reopened',
      text: 'Reopened',
      page: {
        id: 'PGR0VU2',
        number: 2,
        title: 'A little bump in the road',
        url: 'https://acme.pagerduty.com/incidents/PGR0VU2',
        status: 'triggered',
        urgency: 'high',
        priority: 'P1',
        serviceId: 'PF9KMXH',
        serviceName: 'API Service',
        incidentKey: 'd3640fbd41094207a1c11e58e46b1662',
      },
    });
  });
});

describe('forgiving input', () => {
  const incident = (): Record<string, unknown> =>
    structuredClone(readJson('data-objects', 'pd-docs-data-incident.json') as Record<string, unknown>);

  it('accepts null or absent agent, client, assignees, priority, escalation policy, incident key, conference bridge', () => {
    const data = { ...incident(), assignees: null, priority: null, escalation_policy: null, incident_key: null, conference_bridge: null };
    const body = { event: { id: 'E1', event_type: 'incident.escalated', occurred_at: '2026-11-26T14:00:00.000Z', data } };
    const out = normalizePagerDuty(parse(body), ctx);
    expect(out.pagingEvents[0]).toMatchObject({ actor: null, text: 'Escalated', page: { priority: null, incidentKey: null } });
  });

  it('accepts a numeric conference_number (go-pagerduty) as well as a string', () => {
    const data = { ...incident(), conference_bridge: { conference_number: 1000, conference_url: null } };
    const out = normalizePagerDuty(parse(envelope('incident.conference_bridge.updated', data)), ctx);
    expect(out.pagingEvents[0]!.text).toBe('Conference bridge updated: 1000');
  });

  it('keeps unknown keys and tolerates a ping agent that has only id and type', () => {
    const body = envelope('incident.acknowledged', { ...incident(), brand_new_field: { x: 1 } }, {
      agent: { id: 'P1', type: 'user_reference' },
      early_access: true,
    });
    const parsed = parse(body);
    expect((parsed.event as Record<string, unknown>).early_access).toBe(true);
    expect((parsed.event.data as Record<string, unknown>).brand_new_field).toEqual({ x: 1 });
    expect(normalizePagerDuty(parsed, ctx).pagingEvents[0]!.text).toBe('Acknowledged');
  });

  it('says "Priority removed" when priority_updated sets it to null', () => {
    const out = normalizePagerDuty(parse(envelope('incident.priority_updated', { ...incident(), priority: null }, {
      agent: { id: 'P1', type: 'user_reference', summary: 'Jane Doe' },
    })), ctx);
    expect(out.pagingEvents[0]).toMatchObject({ kind: 'priority_updated', actor: 'Jane Doe', text: 'Priority removed by Jane Doe' });
  });

  it('adds the resolve reason to the resolved line', () => {
    const out = normalizePagerDuty(parse(envelope('incident.resolved', { ...incident(), resolve_reason: 'merged' })), ctx);
    expect(out.pagingEvents[0]!.text).toBe('Resolved (reason: merged)');
  });

  it('marks a note PagerDuty trimmed', () => {
    const note = { ...(readJson('data-objects', 'pd-docs-data-incident_note.json') as object), trimmed: true };
    const out = normalizePagerDuty(parse(envelope('incident.annotated', note)), ctx);
    expect(out.pagingEvents[0]!.text).toMatch(/^I sure am glad we are using PagerDuty! \[…\]/);
  });

  it('normalizes occurred_at with an offset or nanoseconds to UTC milliseconds', () => {
    const body = envelope('incident.acknowledged', incident(), { occurred_at: '2025-04-07T05:47:13.414123456+02:00' });
    expect(normalizePagerDuty(parse(body), ctx).pagingEvents[0]!.occurredAt).toBe('2025-04-07T03:47:13.414Z');
  });

  it('turns an unknown incident.* type into a generic event', () => {
    const out = normalizePagerDuty(parse(envelope('incident.brand_new.thing_happened', { type: 'incident_mystery', incident: { id: 'PX1', summary: 'Disk full' } })), ctx);
    expect(out.pagingEvents[0]).toMatchObject({ kind: 'brand_new.thing_happened', text: 'Brand new thing happened', page: { id: 'PX1', title: 'Disk full' } });
  });
});

describe('bodies Debrief acknowledges but does not record', () => {
  it('ignores pagey.ping with a reason', () => {
    const ping = envelope('pagey.ping', { message: 'Hello from your friend Pagey!', type: 'ping' }, { agent: { id: 'P1', type: 'user_reference' } });
    expect(normalizePagerDuty(parse(ping), ctx)).toEqual({ alerts: [], pagingEvents: [], ignoredReason: expect.stringMatching(/ping/) });
  });

  it('ignores the docs service.updated envelope (agent and client null)', () => {
    const out = normalizePagerDuty(parse(readJson('pd-docs-envelope-service.updated.json')), ctx);
    expect(out.pagingEvents).toEqual([]);
    expect(out.ignoredReason).toContain('service.updated');
  });

  it('ignores unknown resource types instead of rejecting them', () => {
    const out = normalizePagerDuty(parse(envelope('status_page.post_published', { id: 'X', type: 'status_page_post' })), ctx);
    expect(out.pagingEvents).toEqual([]);
    expect(out.ignoredReason).toMatch(/status_page\.post_published.*not an incident event/);
  });

  it('ignores a non-incident event even when its time is unusable', () => {
    const out = normalizePagerDuty(parse(envelope('pagey.ping', { type: 'ping' }, { occurred_at: 'soon' })), ctx);
    expect(out.ignoredReason).not.toBeNull();
  });
});

describe('unusable bodies', () => {
  it('throws NormalizeError when occurred_at is not a time', () => {
    const body = parse(envelope('incident.acknowledged', readJson('data-objects', 'pd-docs-data-incident.json'), { occurred_at: 'yesterday' }));
    expect(() => normalizePagerDuty(body, ctx)).toThrow(NormalizeError);
    expect(() => normalizePagerDuty(body, ctx)).toThrow(/occurred_at "yesterday"/);
    expect(() => normalizePagerDuty(body, ctx)).toThrow(expect.objectContaining({ path: 'event.occurred_at' }));
  });

  it('throws NormalizeError when an incident event names no incident', () => {
    const body = parse(envelope('incident.annotated', { type: 'incident_note', id: 'N1', content: 'orphan' }));
    expect(() => normalizePagerDuty(body, ctx)).toThrow(NormalizeError);
  });

  it('rejects an envelope without event id, type, time or data in the schema', () => {
    for (const event of [
      { event_type: 'incident.triggered', occurred_at: '2026-11-26T14:00:00Z', data: {} },
      { id: 'E', occurred_at: '2026-11-26T14:00:00Z', data: {} },
      { id: 'E', event_type: 'incident.triggered', data: {} },
      { id: 'E', event_type: 'incident.triggered', occurred_at: '2026-11-26T14:00:00Z' },
    ]) {
      expect(pagerdutyPayloadSchema.safeParse({ event }).success).toBe(false);
    }
  });
});

describe('legacy V1/V2 webhooks', () => {
  const legacy = jsonFiles(join(FIXTURES, 'legacy'));

  it.each(legacy)('%s is detected and answered with a clear message', (name) => {
    const body = readJson('legacy', name);
    const message = detectLegacyPagerDuty(body);
    expect(message).toMatch(/^PagerDuty V1\/V2 webhooks are not supported.*create a V3 webhook subscription: /);
    expect(message).toContain('Generic Webhooks (v3)');
    expect(pagerdutyPayloadSchema.safeParse(body).success).toBe(false);
  });

  it('is the connector\'s rejectPayload hook, so the route answers 400 with the message', () => {
    expect(pagerdutyConnector.rejectPayload).toBe(detectLegacyPagerDuty);
  });

  it('names the dialect it saw', () => {
    expect(detectLegacyPagerDuty(readJson('legacy', 'pd-docs-v2-incident.trigger.json'))).toContain('V2 "incident.trigger"');
    expect(detectLegacyPagerDuty(readJson('legacy', 'alerta-test_webhooks-pagerduty_v1_two_messages.json'))).toContain('V1 "incident.acknowledge"');
  });

  it('does not flag V3 bodies or unrelated JSON', () => {
    for (const name of jsonFiles(FIXTURES)) expect(detectLegacyPagerDuty(readJson(name))).toBeNull();
    for (const body of [null, [], 'x', { messages: 'no' }, { alerts: [] }]) expect(detectLegacyPagerDuty(body)).toBeNull();
  });

  it('explains the legacy problem when an unsigned legacy body reaches authentication', () => {
    const rawBody = readFileSync(join(FIXTURES, 'legacy', 'pd-docs-v2-incident.resolve.json'));
    const outcome = pagerdutyConnector.authenticate({ headers: {}, rawBody }, { signingSecrets: ['s'] });
    expect(outcome).toEqual({ ok: false, reason: 'missing', message: expect.stringMatching(/V1\/V2 webhooks are not supported/) });
  });
});

describe('connector declaration', () => {
  it('is the pagerduty connector and authenticates with the signing secrets', () => {
    expect(pagerdutyConnector.id).toBe('pagerduty');
    const rawBody = readFileSync(join(FIXTURES, 'aldaviva-signed-triggered.json'));
    const credentials = {
      bearerTokens: [],
      basicAuth: [],
      signingSecrets: ['HvPtlQNKMPpHSSqJpCdndXfo7HnGXa1pnH6w5axpxLFn9aRBNBGh4e8/HlonK5mz'],
    };
    const header = 'v1=3e3032b45bbe1801c13f182b0e0a7f4f3f530225cef07e3e90cbc57874d01c49';
    expect(pagerdutyConnector.authenticate({ headers: { 'x-pagerduty-signature': header }, rawBody }, credentials)).toEqual({ ok: true });
    expect(pagerdutyConnector.authenticate({ headers: {}, rawBody }, credentials)).toMatchObject({ ok: false, reason: 'missing' });
  });

  it('uses X-Webhook-Id as the delivery id, and null without it', () => {
    const rawBody = Buffer.from('{}');
    expect(pagerdutyConnector.deliveryId!({ headers: { 'x-webhook-id': ' 8f7e6d5c-aaaa ' }, rawBody })).toBe('8f7e6d5c-aaaa');
    expect(pagerdutyConnector.deliveryId!({ headers: {}, rawBody })).toBeNull();
    expect(pagerdutyConnector.deliveryId!({ headers: { 'x-webhook-id': '' }, rawBody })).toBeNull();
  });

  it('exports its schema to JSON Schema (OpenAPI) without transforms', () => {
    const schema = z.toJSONSchema(pagerdutyPayloadSchema, { io: 'input' }) as { properties?: Record<string, unknown> };
    expect(schema.properties).toHaveProperty('event');
  });
});

describe('REST log entries and notes map to the webhook vocabulary', () => {
  it('maps the recorded trigger log entry', () => {
    const { log_entries } = readJson('rest', 'pd-api-schema-GET-incidents-id-log_entries.json') as { log_entries: unknown[] };
    const entry = pagerdutyLogEntrySchema.parse(log_entries[0]);
    expect(logEntryToPagingEvent(entry, ctx)).toEqual({
      instance: 'pagerduty',
      source: 'pagerduty',
      eventId: 'log_entry:Q02JTSNZWHSEKV',
      kind: 'triggered',
      vendorType: 'trigger_log_entry',
      occurredAt: '2015-11-07T00:14:20.000Z',
      actor: 'My Mail Service',
      text: 'Triggered by My Mail Service: The server is on fire.',
      page: {
        id: 'PT4KHLK',
        number: 1234,
        title: 'The server is on fire.',
        url: 'https://subdomain.pagerduty.com/incidents/PT4KHLK',
        status: null,
        urgency: null,
        priority: null,
        serviceId: null,
        serviceName: null,
        incidentKey: null,
      },
      // Webhooks carry no log entry id: the store matches a twin by page, kind, time and actor.
      identity: { channel: 'rest', objectId: null },
    });
  });

  it('uses the fetched incident as the page when given', () => {
    const { incident } = readJson('rest', 'pd-api-schema-GET-incidents-id.json') as { incident: unknown };
    const page = pageRefFromRestIncident(pagerdutyRestIncidentSchema.parse(incident));
    expect(page).toEqual({
      id: 'PT4KHLK',
      number: 1234,
      title: 'The server is on fire.',
      url: 'https://subdomain.pagerduty.com/incidents/PT4KHLK',
      status: 'acknowledged',
      urgency: 'high',
      priority: 'P2',
      serviceId: 'PIJ90N7',
      serviceName: 'My Mail Service',
      incidentKey: 'baf7cf21b1da41b4b0221008339ff357',
    });
    const { log_entry } = readJson('rest', 'pd-api-schema-GET-log_entries-id.json') as { log_entry: unknown };
    expect(logEntryToPagingEvent(pagerdutyLogEntrySchema.parse(log_entry), ctx, page).page).toBe(page);
  });

  it('maps the log entries inside the V2 docs bodies (trigger with channel, resolve with +00:00)', () => {
    const entries = ['pd-docs-v2-incident.trigger.json', 'pd-docs-v2-incident.resolve.json'].map((name) => {
      const { messages } = readJson('legacy', name) as { messages: Array<{ log_entries: unknown[] }> };
      return logEntryToPagingEvent(pagerdutyLogEntrySchema.parse(messages[0]!.log_entries[0]), ctx);
    });
    expect(entries.map((e) => [e.kind, e.occurredAt, e.actor, e.text, e.page.id, e.page.number, e.page.serviceName])).toEqual([
      ['triggered', '2017-09-26T15:14:36.000Z', 'Laura Haley', 'Triggered by Laura Haley: My new incident', 'PRORDTY', 33, 'Production XDB Cluster'],
      ['resolved', '2017-09-26T15:18:09.000Z', 'Laura Haley', 'Resolved by Laura Haley', 'PRORDTY', 33, 'Production XDB Cluster'],
    ]);
  });

  it('gives every documented log entry type a kind, webhook names where one exists', () => {
    expect(
      ['trigger', 'acknowledge', 'unacknowledge', 'resolve', 'assign', 'escalate', 'delegate', 'annotate', 'notify', 'snooze', 'custom_field_value_change']
        .map((t) => logEntryKind(`${t}_log_entry`)),
    ).toEqual([
      'triggered', 'acknowledged', 'unacknowledged', 'resolved', 'reassigned', 'escalated', 'delegated', 'annotated', 'notified', 'snoozed',
      'custom_field_values.updated',
    ]);
    expect(logEntryKind('acknowledge_log_entry_reference')).toBe('acknowledged');
    expect(logEntryKind('teleport_log_entry')).toBe('teleport');
  });

  it('words assign, escalate and notify entries from their extra fields', () => {
    const base = { id: 'R1', created_at: '2026-11-26T14:00:00Z', agent: { summary: 'Jane Doe' }, incident: { id: 'PX', summary: '[#7] Disk full' } };
    const escalate = pagerdutyLogEntrySchema.parse({ ...base, type: 'escalate_log_entry', assignees: [{ summary: 'Ann' }, { summary: 'Bob' }] });
    const notify = pagerdutyLogEntrySchema.parse({
      ...base, type: 'notify_log_entry', agent: null, user: { summary: 'Ann' }, channel: { type: 'auto', notification: { type: 'sms', status: 'success' } },
    });
    const unknown = pagerdutyLogEntrySchema.parse({ ...base, type: 'teleport_log_entry', summary: 'Teleported by Jane Doe' });
    expect(logEntryToPagingEvent(escalate, ctx).text).toBe('Escalated by Jane Doe to Ann, Bob');
    expect(logEntryToPagingEvent(notify, ctx).text).toBe('Notified Ann by sms (success)');
    expect(logEntryToPagingEvent(unknown, ctx)).toMatchObject({ kind: 'teleport', text: 'Teleported by Jane Doe', page: { number: 7, title: 'Disk full' } });
  });

  it('maps recorded notes, including the bot-user one with a -05:00 offset', () => {
    const { notes } = readJson('rest', 'pd-api-schema-GET-incidents-id-notes.json') as { notes: unknown[] };
    const page = pageRefFromRestIncident(pagerdutyRestIncidentSchema.parse({ id: 'PT4KHLK', title: 'The server is on fire.' }));
    const events = notes.map((n) => noteToPagingEvent(pagerdutyNoteSchema.parse(n), page, ctx));
    expect(events.map((e) => [e.eventId, e.kind, e.vendorType, e.occurredAt, e.actor, e.text])).toEqual([
      ['note:PWL7QXS', 'annotated', 'incident_note', '2013-03-06T20:28:51.000Z', 'Earline Greenholt', 'Firefighters are on the scene.'],
      ['note:PCQC25', 'annotated', 'incident_note', '2013-03-06T20:28:42.000Z', 'A Global Event Rule', 'Initial alert information indicates a 1-alarm fire'],
    ]);
    // The note id is `data.id` of the incident.annotated webhook: the same identity on both channels.
    expect(events.map((e) => e.identity)).toEqual([{ channel: 'rest', objectId: 'note:PWL7QXS' }, { channel: 'rest', objectId: 'note:PCQC25' }]);
  });

  it('throws NormalizeError for a log entry with an unusable time', () => {
    const entry = pagerdutyLogEntrySchema.parse({ id: 'R', type: 'trigger_log_entry', created_at: 'n/a', incident: { id: 'P' } });
    expect(() => logEntryToPagingEvent(entry, ctx)).toThrow(NormalizeError);
  });
});

describe('toUtcIso', () => {
  it.each([
    ['2025-04-07T03:47:13.414Z', '2025-04-07T03:47:13.414Z'],
    ['2015-11-07T00:14:20Z', '2015-11-07T00:14:20.000Z'],
    ['2013-03-06T15:28:51-05:00', '2013-03-06T20:28:51.000Z'],
    ['2017-09-26T15:18:09+00:00', '2017-09-26T15:18:09.000Z'],
    ['2025-04-07T03:47:13.414123456Z', '2025-04-07T03:47:13.414Z'],
  ])('%s -> %s', (input, expected) => expect(toUtcIso(input)).toBe(expected));

  it.each(['', '0001-01-01T00:00:00Z', 'yesterday', '2025-04-07', '2025-04-07 03:47:13', '2025-13-45T00:00:00Z', 'April 7, 2025 03:47 UTC'])('%s -> null', (input) =>
    expect(toUtcIso(input)).toBeNull(),
  );
});
