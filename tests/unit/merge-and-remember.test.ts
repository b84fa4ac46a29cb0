import type { Correlator } from '../../src/domain/correlation/correlator';
import type { Incident, IncidentDetail } from '../../src/domain/incident';
import { CorrectionService } from '../../src/services/correction-service';
import type { LinkToRemember } from '../../src/store/remembered-link-store';
import type { MergeResult } from '../../src/store/store';
import { makeIncident } from '../support/domain-builders';

/*
 * Merge and remember at the service level, with the stores faked: which links a merge records
 * (the services as they were before it), and that a link that cannot be recorded never undoes
 * or fails the merge.
 */

const NOW = new Date('2026-06-01T10:00:00.000Z');

function world(linkFails = false) {
  const incidents = new Map<string, Incident>([
    ['target', makeIncident({ id: 'target', services: ['orders'] })],
    ['a', makeIncident({ id: 'a', services: ['reports'] })],
    ['b', makeIncident({ id: 'b', services: ['billing'] })],
  ]);
  const remembered: LinkToRemember[] = [];
  let merges = 0;
  const service = new CorrectionService({
    store: {
      getIncident: async (id: string): Promise<IncidentDetail | null> => {
        const incident = incidents.get(id);
        return incident ? { incident, alerts: [], events: [] } : null;
      },
      mergeIncidents: async (targetId: string, sourceIds: string[]): Promise<MergeResult> => {
        merges++;
        // After a merge the target holds every service and the sources none.
        const all = [...new Set([targetId, ...sourceIds].flatMap((id) => incidents.get(id)!.services))];
        incidents.set(targetId, { ...incidents.get(targetId)!, services: all });
        for (const id of sourceIds) incidents.set(id, { ...incidents.get(id)!, services: [], status: 'merged', mergedInto: targetId });
        return { incident: incidents.get(targetId)!, merged: sourceIds.map((id) => incidents.get(id)!), movedAlertIds: [] };
      },
      splitIncident: async () => { throw new Error('unused'); },
      moveAlert: async () => { throw new Error('unused'); },
      getIncidentAudit: async () => null,
    },
    correlator: {} as Correlator,
    serviceLabels: { labels: ['service'], matches: [] },
    clock: () => NOW,
    carryOver: {
      plan: async () => ({ id: 'p' }) as never,
      complete: async () => ({ sources: 0, actionItems: 0 }) as never,
      cancel: async () => undefined,
    },
    links: {
      remember: async (link: LinkToRemember) => {
        if (linkFails) throw new Error('store unavailable');
        remembered.push(link);
      },
    },
  });
  return { service, remembered, merges: () => merges };
}

describe('CorrectionService: merge and remember', () => {
  it('when merged with remember, then each new service pair, as before the merge, is recorded with who, when, which incidents and why', async () => {
    const w = world();
    const out = await w.service.merge('target', ['a', 'b'], { actor: 'alice', reason: 'one cloud network outage' }, true);
    expect(out.remembered).toEqual({ links: [['orders', 'reports'], ['billing', 'orders']], failed: false });
    expect(w.remembered).toEqual([
      { services: ['orders', 'reports'], by: 'alice', at: NOW.toISOString(), incidentIds: ['target', 'a'], reason: 'one cloud network outage' },
      { services: ['billing', 'orders'], by: 'alice', at: NOW.toISOString(), incidentIds: ['target', 'b'], reason: 'one cloud network outage' },
    ]);
  });

  it('when merged without remember, then nothing is recorded and the answer says so', async () => {
    const w = world();
    const out = await w.service.merge('target', ['b'], { actor: 'alice' });
    expect(out.remembered).toBeNull();
    expect(w.remembered).toEqual([]);
  });

  it('when a link cannot be recorded, then the merge still stands and the answer says remembering failed', async () => {
    const w = world(true);
    const out = await w.service.merge('target', ['b'], { actor: 'alice' }, true);
    expect(w.merges()).toBe(1);
    expect(out.incident.services).toEqual(['orders', 'billing']);
    expect(out.remembered).toEqual({ links: [], failed: true });
  });
});
