import type { RememberedLinkStore } from '../../src/store/remembered-link-store';
import { fixturePerCase, later, type StoreFactory } from './store-contract-support';

/**
 * The `RememberedLinkStore` part of the store contract: service links people taught by merging
 * with "remember". Called by `describeStoreContract`; written against
 * `src/store/remembered-link-store.ts` only.
 */
export function describeRememberedLinkStoreContract(name: string, factory: StoreFactory): void {
  describe(`RememberedLinkStore contract (${name})`, () => {
    const fixture = fixturePerCase(factory);
    let links: RememberedLinkStore;

    beforeEach(() => {
      links = fixture().links;
    });

    it('when nothing was remembered, then the list is empty', async () => {
      expect(await links.list()).toEqual([]);
    });

    it('when a link is remembered, then it reads back with its services sorted, who and when, and one merge', async () => {
      await links.remember({ services: ['search', 'checkout'], by: 'alice', at: later(1), incidentIds: ['inc-9', 'inc-3'], reason: 'same DNS outage' });
      expect(await links.list()).toEqual([{
        services: ['checkout', 'search'], firstBy: 'alice', firstAt: later(1), lastBy: 'alice', lastAt: later(1),
        incidentIds: ['inc-9', 'inc-3'], reason: 'same DNS outage', merges: 1,
      }]);
    });

    it('when the same pair is remembered again, in either order, then it counts another merge and keeps who made it first', async () => {
      await links.remember({ services: ['checkout', 'search'], by: 'alice', at: later(1), incidentIds: ['a', 'b'], reason: null });
      await links.remember({ services: ['search', 'checkout'], by: 'bob', at: later(5), incidentIds: ['c', 'd'], reason: 'again' });
      expect(await links.list()).toEqual([{
        services: ['checkout', 'search'], firstBy: 'alice', firstAt: later(1), lastBy: 'bob', lastAt: later(5), incidentIds: ['c', 'd'], reason: 'again', merges: 2,
      }]);
    });

    it('when several links are remembered, then the most recently merged comes first, ties by services', async () => {
      await links.remember({ services: ['a', 'b'], by: 'x', at: later(1), incidentIds: [], reason: null });
      await links.remember({ services: ['c', 'd'], by: 'x', at: later(3), incidentIds: [], reason: null });
      await links.remember({ services: ['a', 'c'], by: 'x', at: later(3), incidentIds: [], reason: null });
      expect((await links.list()).map((l) => l.services)).toEqual([['a', 'c'], ['c', 'd'], ['a', 'b']]);
    });

    it('when another replica opens the same database, then it reads the links', async () => {
      await links.remember({ services: ['a', 'b'], by: 'x', at: later(1), incidentIds: ['i'], reason: null });
      const other = await fixture().connectAgain();
      expect((await other.links.list()).map((l) => l.services)).toEqual([['a', 'b']]);
    });
  });
}
