import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config/load-config';
import { ServiceCatalog } from '../../src/domain/catalog/service-catalog';
import type { TrackerIssueState } from '../../src/domain/trackers/tracker';
import { buildInboxProcessor } from '../../src/ingest/inbox-processor';
import { createMetrics } from '../../src/metrics';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';

/**
 * A tracker's webhook is accepted once its body is stored; what it says must then reach the
 * action items. The processor applies the states before it marks the entry done, so a failure
 * to apply leaves the entry to be retried instead of losing the state.
 */

const body = readFileSync(join(__dirname, '..', '..', 'connectors', 'github-issues', 'fixtures', 'github-docs-issues-closed.json'));

describe('tracker states in inbox processing', () => {
  let store: SqliteStore;
  beforeEach(async () => {
    store = new SqliteStore({ file: ':memory:' });
    await store.init();
  });
  afterEach(() => store.close());

  async function process(applyTrackerStates: (states: TrackerIssueState[]) => Promise<void>): Promise<void> {
    const config = loadConfig({ file: null, env: {} });
    const processor = buildInboxProcessor(config, ServiceCatalog.empty(), {
      store, metrics: createMetrics({ inboxBacklog: async () => 0, deadLetters: async () => 0, openIncidents: async () => 0 }),
      logger: pino({ level: 'silent' }), breathe: async () => undefined, applyTrackerStates,
    });
    processor.start();
    await processor.idle();
    await processor.stop();
  }

  const append = () => store.appendInbox({
    instance: 'github-issues', connector: 'github-issues', receivedAt: '2026-12-01T10:00:00.000Z', headers: { 'x-github-event': 'issues' }, deliveryId: null, body,
  });

  it('when the states are applied, then the entry is done only after the apply finished', async () => {
    const { id } = await append();
    const seen: Array<{ states: TrackerIssueState[]; stateWhileApplying: string }> = [];
    await process(async (states) => {
      seen.push({ states, stateWhileApplying: (await store.getInboxEntry(id))!.state });
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.states).toEqual([expect.objectContaining({ tracker: 'github', state: 'closed' })]);
    expect(seen[0]!.stateWhileApplying).not.toBe('done');
    expect((await store.getInboxEntry(id))!.state).toBe('done');
  });

  it('when applying the states fails, then the entry is not done: it stays to be retried with the reason', async () => {
    const { id } = await append();
    await process(async () => {
      throw new Error('report store unavailable');
    });
    const entry = (await store.getInboxEntry(id))!;
    expect(entry.state).toBe('pending');
    expect(entry.lastError).toContain('report store unavailable');
  });
});
