import { ServiceCatalog } from '../../src/domain/catalog/service-catalog';
import { catalogSuggestions, pairsToRemember, sameOutageSuggestions, type TaughtLink } from '../../src/domain/same-outage';
import { deepFreeze, makeIncident } from '../support/domain-builders';

const T = (min: number) => new Date(Date.parse('2026-04-01T12:00:00.000Z') + min * 60_000).toISOString();

const catalog = ServiceCatalog.create([
  { name: 'dns', sharedInfrastructure: true },
  { name: 'orders-db' },
  { name: 'checkout', dependsOn: ['dns', 'orders-db'] },
  { name: 'search', dependsOn: ['dns'] },
  { name: 'orders', dependsOn: ['orders-db'] },
  { name: 'reports' },
]);

const incident = (id: string, services: string[], startMin: number, status: 'open' | 'resolved' | 'merged' = 'open') =>
  makeIncident({ id, title: `${services.join(', ')} down`, services, startedAt: T(startMin), status });

describe('catalog: shared infrastructure', () => {
  it('when two services call an entry marked sharedInfrastructure, then it is what they share; a plain shared dependency is not', () => {
    expect(catalog.sharedInfrastructureOf('checkout', 'search')).toEqual(['dns']);
    expect(catalog.sharedInfrastructureOf('checkout', 'orders')).toEqual([]);
    expect(catalog.sharedInfrastructureOf('checkout', 'checkout')).toEqual([]);
    expect(catalog.sharedInfrastructureOf('checkout', 'unknown')).toEqual([]);
  });

  it('when sharedInfrastructure is not a boolean, then the catalog is refused', () => {
    expect(() => ServiceCatalog.create([{ name: 'dns', sharedInfrastructure: 'yes' as unknown as boolean }])).toThrow(/services\.0\.sharedInfrastructure/);
  });
});

describe('sameOutageSuggestions', () => {
  const checkout = deepFreeze(incident('i-checkout', ['checkout'], 0));

  it('when a sibling on the same shared infrastructure started 3 min later, then it is suggested, explained', () => {
    expect(sameOutageSuggestions(checkout, [incident('i-search', ['search'], 3)], catalog)).toEqual([{
      incidentId: 'i-search', title: 'search down', status: 'open', startedAt: T(3), evidence: 'shared-infrastructure',
      services: ['checkout', 'search'], via: ['dns'], gapMinutes: 3,
      explanation: 'checkout and search both depend on dns (shared infrastructure); their incidents started 3 min apart',
    }]);
  });

  it('when the onsets are more than 15 min apart, the other is merged, or it is the incident itself, then nothing is suggested', () => {
    expect(sameOutageSuggestions(checkout, [
      incident('i-late', ['search'], 16), incident('i-early', ['search'], -16), incident('i-merged', ['search'], 1, 'merged'), checkout,
    ], catalog)).toEqual([]);
  });

  it('when the siblings share only a dependency the catalog does not mark as shared infrastructure, then nothing is suggested (precision first)', () => {
    expect(sameOutageSuggestions(checkout, [incident('i-orders', ['orders'], 1)], catalog)).toEqual([]);
  });

  it('when a person merged incidents on two services with remember, then a later pair on them is suggested, naming who taught it', () => {
    const taught: TaughtLink[] = [{ services: ['orders', 'reports'], lastBy: 'alice', lastAt: T(-600), merges: 1 }];
    const orders = incident('i-orders', ['orders'], 0);
    expect(sameOutageSuggestions(orders, [incident('i-reports', ['reports'], 0)], catalog, taught)).toEqual([expect.objectContaining({
      incidentId: 'i-reports', evidence: 'remembered-merge', services: ['orders', 'reports'], via: [], gapMinutes: 0,
      explanation: 'incidents on orders and reports were merged as one outage before by alice, and remembered; their incidents started within a minute',
    })]);
    expect(sameOutageSuggestions(orders, [incident('i-reports', ['reports'], 0)], catalog, [{ ...taught[0]!, merges: 3, lastBy: 'bob' }])[0]!.explanation)
      .toBe('incidents on orders and reports were merged as one outage before (3 times, last by bob), and remembered; their incidents started within a minute');
  });

  it('when several incidents qualify, then the nearest onset comes first; shared infrastructure explains before a remembered merge', () => {
    const taught: TaughtLink[] = [{ services: ['checkout', 'search'], lastBy: 'alice', lastAt: T(-600), merges: 1 }];
    const out = sameOutageSuggestions(checkout, [incident('i-far', ['search'], 10), incident('i-near', ['search'], -2)], catalog, taught);
    expect(out.map((s) => [s.incidentId, s.evidence])).toEqual([['i-near', 'shared-infrastructure'], ['i-far', 'shared-infrastructure']]);
  });
});

describe('pairsToRemember and catalogSuggestions', () => {
  it('when a merge brings services together, then each new pair is remembered once, sorted; services both already had are not', () => {
    expect(pairsToRemember({ services: ['search', 'checkout'] }, [{ services: ['checkout', 'orders'] }])).toEqual([['orders', 'search']]);
    expect(pairsToRemember({ services: ['search', 'checkout'] }, [{ services: ['checkout', 'orders'] }, { services: ['orders'] }]))
      .toEqual([['checkout', 'orders'], ['orders', 'search']]);
    expect(pairsToRemember({ services: ['b'] }, [{ services: ['a', 'c'] }])).toEqual([['a', 'b'], ['b', 'c']]);
    expect(pairsToRemember({ services: ['a'] }, [{ services: ['a'] }])).toEqual([]);
  });

  it('when a remembered link is not explained by the catalog, then the suggestion asks to name what they share; explained ones come last', () => {
    const out = catalogSuggestions([
      { services: ['checkout', 'search'], lastBy: 'bob', lastAt: T(0), merges: 2 },
      { services: ['orders', 'warehouse'], lastBy: 'alice', lastAt: T(-5), merges: 1 },
    ], catalog);
    expect(out).toEqual([
      {
        services: ['orders', 'warehouse'], merges: 1, lastBy: 'alice', lastAt: T(-5), named: false,
        text: 'orders and warehouse were merged as one outage (by alice): if they fail together through something they share (DNS, the cloud network, a database), add it to the catalog with sharedInfrastructure: true and list it in both services\' dependsOn (warehouse is not in the catalog yet)',
      },
      {
        services: ['checkout', 'search'], merges: 2, lastBy: 'bob', lastAt: T(0), named: true,
        text: 'checkout and search were merged as one outage (2 times, last by bob); the catalog names what they share: dns',
      },
    ]);
  });
});
