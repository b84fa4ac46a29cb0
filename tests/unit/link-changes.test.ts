import { ServiceCatalog } from '../../src/domain/catalog/service-catalog';
import type { Change } from '../../src/domain/changes/change';
import { withChangeEntries, withChangeHints } from '../../src/domain/changes/change-evidence';
import { changeServiceResolver, linkChanges, type ChangeLinkOptions } from '../../src/domain/changes/link-changes';
import type { ReportDraft } from '../../src/domain/report/report-draft';
import type { TimelineEntry } from '../../src/domain/timeline';

const catalog = ServiceCatalog.create([
  { name: 'checkout', dependsOn: ['orders'], repositories: ['acme/checkout-service'] },
  { name: 'orders', dependsOn: ['orders-db'] },
  { name: 'orders-db' },
  { name: 'search' },
]);
const options: ChangeLinkOptions = { windowMs: 120 * 60_000, serviceOf: changeServiceResolver(catalog), related: (s, h) => catalog.related(s, h) };
const FIRST_ALERT = '2026-03-02T10:00:00.000Z';
const minutes = (m: number) => new Date(Date.parse(FIRST_ALERT) + m * 60_000).toISOString();
const incident = { startedAt: FIRST_ALERT, endedAt: minutes(40), services: ['checkout'] };

const change = (id: string, at: number, over: Partial<Change> = {}): Change => ({
  id, instance: 'changes', origin: 'generic', kind: 'deploy', service: 'checkout', repository: null, environment: 'production', version: null,
  summary: id, author: null, url: null, at: minutes(at), status: null, statusAt: minutes(at), ...over,
});

describe('linkChanges', () => {
  it('when a deploy of the service itself precedes the first alert, then it is the top suspect with a sentence saying what, when and where', () => {
    const linked = linkChanges(incident, [
      change('config-orders', -50, { kind: 'config', service: 'orders', author: 'bob' }),
      change('deploy-checkout', -14, { origin: 'github-deployment', service: null, repository: 'acme/checkout-service', version: 'v2.3.1', author: 'alice', status: 'success', url: 'https://gh/d/1' }),
    ], options);
    expect(linked.map((l) => [l.change.id, l.timing, l.hops, l.reason])).toEqual([
      ['deploy-checkout', 'before', 0, 'deploy of checkout v2.3.1 (GitHub deployment by alice) 14 min before the first alert, same service'],
      ['config-orders', 'before', 1, 'config change on orders (change event by bob) 50 min before the first alert, one dependency away (checkout → orders)'],
    ]);
    expect(linked[0]!.score).toBeGreaterThan(linked[1]!.score);
  });

  it('when changes are outside the window, on unrelated or unknown services, then they are not linked', () => {
    const linked = linkChanges(incident, [
      change('too-early', -121),
      change('after-end', 41),
      change('unrelated', -5, { service: 'search' }),
      change('no-service', -5, { service: null, repository: null }),
      change('three-hops', -5, { service: 'nowhere' }),
    ], options);
    expect(linked).toEqual([]);
  });

  it('when a change comes during the incident (a rollback), then it is linked as during, after the suspects, with its outcome', () => {
    const linked = linkChanges(incident, [change('rollback', 20, { version: 'v2.3.0', status: 'failure' }), change('deploy', -5)], options);
    expect(linked.map((l) => [l.change.id, l.timing, l.score])).toEqual([['deploy', 'before', expect.any(Number)], ['rollback', 'during', 0]]);
    expect(linked[1]!.reason).toBe('deploy of checkout v2.3.0 (change event, failure) 20 min after the first alert, during the incident, same service');
  });

  it('when a release or a push is as close as a deploy, then the deploy ranks first; closer in time ranks higher for the same kind', () => {
    const linked = linkChanges({ ...incident, endedAt: null }, [
      change('push', -3, { origin: 'github-push', kind: 'other' }),
      change('release', -3, { origin: 'github-release', kind: 'other' }),
      change('deploy-old', -100),
      change('deploy-new', -10),
    ], options);
    expect(linked.map((l) => l.change.id)).toEqual(['deploy-new', 'deploy-old', 'release', 'push']);
  });

  it('when a repository is not mapped in the catalog, then its name stands for the service', () => {
    expect(changeServiceResolver(catalog)(change('x', 0, { service: null, repository: 'acme/search' }))).toBe('search');
    expect(changeServiceResolver(catalog)(change('x', 0, { service: null, repository: 'ACME/Checkout-Service' }))).toBe('checkout');
  });
});

describe('catalog repositories', () => {
  it('when two services claim one repository, then the catalog is refused naming both', () => {
    expect(() => ServiceCatalog.create([{ name: 'a', repositories: ['acme/x'] }, { name: 'b', repositories: ['ACME/x'] }]))
      .toThrow(/services\.b\.repositories: "ACME\/x" is already mapped to "a"/);
    expect(catalog.serviceForRepository('acme/unknown')).toBeNull();
  });
});

describe('change evidence', () => {
  const linked = linkChanges(incident, [change('deploy', -14, { version: 'v2', url: 'https://ci/1', author: 'alice' }), change('rollback', 10, { version: 'v1' })], options);

  it('when changes are linked, then each is a timeline line at its time, with its source and link, before what came at the same time', () => {
    const timeline: TimelineEntry[] = [
      { at: minutes(-14), kind: 'alert.fired', source: 'alert', text: 'A fired', actor: null, alertId: 'a1', eventId: null },
      { at: minutes(30), kind: 'alert.resolved', source: 'alert', text: 'A resolved', actor: null, alertId: 'a1', eventId: null },
    ];
    const merged = withChangeEntries(timeline, linked);
    expect(merged.map((e) => [e.at, e.kind, e.source, e.eventId, e.url ?? null])).toEqual([
      [minutes(-14), 'change.deploy', 'change', 'change:deploy', 'https://ci/1'],
      [minutes(-14), 'alert.fired', 'alert', null, null],
      [minutes(10), 'change.deploy', 'change', 'change:rollback', null],
      [minutes(30), 'alert.resolved', 'alert', null, null],
    ]);
    expect(withChangeEntries(timeline, [])).toBe(timeline);
  });

  it('when the draft is given linked changes, then suspects lead "What happened" and changes during the incident join "fix"', () => {
    const section = (id: string) => ({ id, title: id, status: 'needs-human', text: null, hints: [{ source: 'first alert', text: 'A fired first', url: null }] });
    const draft = { incidentId: 'i', generatedAt: minutes(60), summary: {}, timeline: [], impact: [], sections: [section('what-happened'), section('fix'), section('prevention')] } as unknown as ReportDraft;
    const hinted = withChangeHints(draft, linked);
    expect(hinted.sections[0]!.hints.map((h) => [h.source, h.text, h.url])).toEqual([
      ['suspect 1: change', 'deploy of checkout v2 (change event by alice) 14 min before the first alert, same service', 'https://ci/1'],
      ['first alert', 'A fired first', null],
    ]);
    expect(hinted.sections[1]!.hints.map((h) => h.source)).toEqual(['first alert', 'change during the incident']);
    expect(hinted.sections[2]).toEqual(draft.sections[2]);
  });
});
