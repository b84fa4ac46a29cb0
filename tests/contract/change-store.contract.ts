import type { Change } from '../../src/domain/changes/change';
import { at, fixturePerCase, type StoreFactory } from './store-contract-support';

/**
 * The `ChangeStore` part of the store contract: changes kept one per `Change.id`, the latest
 * report winning, read back by time. Called by `describeStoreContract`; written against
 * `src/store/store.ts` only.
 */
export function describeChangeStoreContract(name: string, factory: StoreFactory): void {
  describe(`ChangeStore contract (${name})`, () => {
    const fixture = fixturePerCase(factory);

    const change = (id: string, minutes: number, over: Partial<Change> = {}): Change => ({
      id, instance: 'changes', origin: 'generic', kind: 'deploy', service: 'checkout', repository: null, environment: 'production',
      version: 'v1', summary: `deploy ${id} – café ✓`, author: 'alice', url: 'https://ci.example/run/1', at: at(minutes), status: null, statusAt: at(minutes), ...over,
    });

    it('when changes are recorded, then they read back exactly, by time then id, within the range and the limit', async () => {
      const { store } = fixture();
      const later = change('b', 30, { kind: 'config', service: null, repository: 'octo/checkout', environment: null, version: null, author: null, url: null });
      const early = change('a', 10);
      const tie = change('a2', 10);
      expect(await store.recordChanges([later, early, tie])).toEqual({ added: 3, updated: 0, unchanged: 0 });
      expect(await store.listChanges({ from: at(0), to: at(60), limit: 10 })).toEqual([early, tie, later]);
      expect(await store.listChanges({ from: at(10), to: at(10), limit: 10 })).toEqual([early, tie]);
      expect(await store.listChanges({ from: at(0), to: at(60), limit: 2 })).toEqual([early, tie]);
      expect(await store.listChanges({ from: at(31), to: at(60), limit: 10 })).toEqual([]);
    });

    it('when a change is reported again, then a newer report replaces it, and an older or repeated one changes nothing', async () => {
      const { store } = fixture();
      const created = change('dep-1', 10);
      const succeeded = change('dep-1', 10, { status: 'success', statusAt: at(12), url: 'https://ci.example/run/1/log' });
      expect(await store.recordChanges([created])).toEqual({ added: 1, updated: 0, unchanged: 0 });
      expect(await store.recordChanges([succeeded])).toEqual({ added: 0, updated: 1, unchanged: 0 });
      // The deployment's own event, delivered late: older than what is stored.
      expect(await store.recordChanges([created])).toEqual({ added: 0, updated: 0, unchanged: 1 });
      expect(await store.listChanges({ from: at(0), to: at(60), limit: 10 })).toEqual([succeeded]);
    });

    it('when another handle records the same change, then there is still one record', async () => {
      const fx = fixture();
      const other = await fx.connectAgain();
      await fx.store.recordChanges([change('x', 5)]);
      expect(await other.store.recordChanges([change('x', 5, { status: 'failure', statusAt: at(6) })])).toEqual({ added: 0, updated: 1, unchanged: 0 });
      expect((await fx.store.listChanges({ from: at(0), to: at(10), limit: 10 })).map((c) => [c.id, c.status])).toEqual([['x', 'failure']]);
    });
  });
}
