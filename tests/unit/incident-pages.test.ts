import { pageName, pagesOf } from '../../src/domain/incident-pages';
import type { PageRef } from '../../src/domain/paging-event';
import { makeEvent } from '../support/domain-builders';

const ref = (overrides: Partial<PageRef> = {}): PageRef => ({
  id: 'PABC123', number: null, title: null, url: null, status: 'triggered', urgency: 'high', priority: null,
  serviceId: 'PSVC1', serviceName: 'Checkout', incidentKey: null, ...overrides,
});
const paged = (at: string, kind: string, page: PageRef, instance = 'pagerduty') =>
  makeEvent({ at, kind: `pagerduty.${kind}`, data: { instance, eventId: `${kind}-${at}`, vendorType: `incident.${kind}`, page } });

describe('the pages an incident holds', () => {
  it('when a page has several events, then it is one page with the latest of each field, first paged first', () => {
    const pages = pagesOf([
      paged('2026-11-26T14:07:00.000Z', 'acknowledged', ref({ status: 'acknowledged' })),
      paged('2026-11-26T14:05:00.000Z', 'triggered', ref({ number: 1234, title: 'Checkout is down', url: 'https://acme.pagerduty.com/incidents/PABC123' })),
      paged('2026-11-26T14:06:00.000Z', 'triggered', ref({ id: 'PXYZ789', number: 1235, title: 'Orders slow' })),
      makeEvent({ kind: 'correlation.moved', data: { alertId: 'a-1' } }),
    ]);
    expect(pages).toEqual([
      {
        instance: 'pagerduty', source: 'pagerduty', id: 'PABC123', number: 1234, title: 'Checkout is down', url: 'https://acme.pagerduty.com/incidents/PABC123',
        status: 'acknowledged', urgency: 'high', serviceName: 'Checkout', firstEventAt: '2026-11-26T14:05:00.000Z', lastEventAt: '2026-11-26T14:07:00.000Z',
      },
      expect.objectContaining({ id: 'PXYZ789', number: 1235, title: 'Orders slow', url: null }),
    ]);
    expect(pages.map(pageName)).toEqual(['PagerDuty #1234 "Checkout is down"', 'PagerDuty #1235 "Orders slow"']);
  });

  it('when the same page id comes through two instances, then they are two pages; a page without number or title is named by its id', () => {
    const pages = pagesOf([paged('2026-11-26T14:05:00.000Z', 'triggered', ref()), paged('2026-11-26T14:05:00.000Z', 'triggered', ref(), 'pd-eu')]);
    expect(pages.map((p) => p.instance)).toEqual(['pagerduty', 'pd-eu']);
    expect(pageName(pages[0]!)).toBe('PagerDuty PABC123');
  });

  it('when an incident has no paging events, then it has no pages', () => {
    expect(pagesOf([makeEvent({ kind: 'correlation.split', data: {} }), makeEvent({ kind: 'pagerduty.annotated', data: { page: 'not a page' } })])).toEqual([]);
  });
});
