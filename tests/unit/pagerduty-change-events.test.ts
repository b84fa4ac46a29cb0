import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { changeEventToChange } from '../../connectors/pagerduty/pagerduty.normalize';
import { pagerdutyChangeEventSchema, type PagerDutyChangeEvent } from '../../connectors/pagerduty/pagerduty.payload';

/** PagerDuty's published example of `GET /incidents/{id}/related_change_events`. */
const recorded = JSON.parse(readFileSync(join(__dirname, '..', '..', 'connectors', 'pagerduty', 'fixtures', 'rest', 'pd-api-schema-GET-incidents-id-related_change_events.json'), 'utf8')) as { change_events: unknown[] };
const events = recorded.change_events.map((event) => pagerdutyChangeEventSchema.parse(event));
const catalog = (service: { id?: string | undefined }) => (service.id === 'PEYSGRV' ? 'mail' : null);

describe('PagerDuty related change events as changes', () => {
  it('when PagerDuty\'s example is read, then each event is a change on the service its PagerDuty service maps to, with its link and time', () => {
    expect(changeEventToChange(events[0]!, { instance: 'pagerduty' }, catalog)).toEqual({
      id: 'pagerduty:pagerduty:01BBYA6PEVW6A852BUO6QYUE7O', instance: 'pagerduty', origin: 'pagerduty', kind: 'other',
      service: 'mail', repository: null, environment: null, version: null,
      summary: 'Build Success - Increase snapshot create timeout to 30 seconds', author: null, url: 'https://acme.pagerduty.dev/build/2',
      at: '2020-07-17T08:42:58.000Z', status: null, statusAt: '2020-07-17T08:42:58.000Z',
    });
  });

  it('when the PagerDuty service maps to none, then the change is kept without a service (and so linked to no incident)', () => {
    expect(changeEventToChange(events[1]!, { instance: 'pd-eu' }, () => null)).toMatchObject({ id: 'pagerduty:pd-eu:01BBYA6PDIXPL8KO1HPIUL9CZN', service: null });
  });

  it('when a link is not http(s), or the time cannot be read, then the link is dropped, or the event is', () => {
    const odd: PagerDutyChangeEvent = { ...events[0]!, links: [{ href: 'javascript:alert(1)', text: 'x' }, { href: ' https://ok.example/1 ', text: null }] };
    expect(changeEventToChange(odd, { instance: 'pagerduty' }, catalog)?.url).toBe('https://ok.example/1');
    expect(changeEventToChange({ ...events[0]!, links: [{ href: 'ftp://x/y' }] }, { instance: 'pagerduty' }, catalog)?.url).toBeNull();
    expect(changeEventToChange({ ...events[0]!, timestamp: 'yesterday' }, { instance: 'pagerduty' }, catalog)).toBeNull();
    expect(changeEventToChange({ ...events[0]!, summary: '  ' }, { instance: 'pagerduty' }, catalog)?.summary).toBe('acme-build-pipeline-tool-default-i-9999');
  });
});
