import type { DeliveryRecord, DeliveryStore } from '../../src/store/delivery-store';
import { fixturePerCase, later, type StoreFactory } from './store-contract-support';

/**
 * The `DeliveryStore` part of the store contract: outcomes of outbound notifications, kept so
 * pending ones resume after a restart. Called by `describeStoreContract`; written against
 * `src/store/delivery-store.ts` only.
 */
export function describeDeliveryStoreContract(name: string, factory: StoreFactory): void {
  describe(`DeliveryStore contract (${name})`, () => {
    const fixture = fixturePerCase(factory);
    let deliveries: DeliveryStore;

    beforeEach(() => {
      deliveries = fixture().deliveries;
    });

    let seq = 0;
    const delivery = (over: Partial<DeliveryRecord> = {}): DeliveryRecord => {
      const n = ++seq;
      return {
        id: `dlv-${n}-${Math.random().toString(36).slice(2)}`, incidentId: 'inc-1', version: 1, event: 'report.published', target: 'chat',
        body: JSON.stringify({ event: 'report.published', n, text: 'résumé ✓' }), status: 'pending', attempts: 0, lastStatusCode: null,
        lastError: null, nextAttemptAt: later(n), createdAt: later(n), updatedAt: later(n), deliveredAt: null, ...over,
      };
    };

    it('when deliveries are created, then they read back exactly, oldest first per incident', async () => {
      const second = delivery({ createdAt: later(20), target: 'pager' });
      const first = delivery({ createdAt: later(10) });
      const elsewhere = delivery({ incidentId: 'inc-2' });
      for (const d of [second, first, elsewhere]) await deliveries.create(d);
      expect(await deliveries.listForIncident('inc-1')).toEqual([first, second]);
      expect(await deliveries.listForIncident('inc-2')).toEqual([elsewhere]);
      expect(await deliveries.listForIncident('inc-none')).toEqual([]);
    });

    it('when a delivery is updated, then its outcome fields change and the rest stays', async () => {
      const d = delivery();
      await deliveries.create(d);
      await deliveries.update(d.id, { status: 'failed', attempts: 3, lastStatusCode: 500, lastError: 'HTTP 500', nextAttemptAt: null, updatedAt: later(300), deliveredAt: null });
      expect(await deliveries.listForIncident('inc-1')).toEqual([{ ...d, status: 'failed', attempts: 3, lastStatusCode: 500, lastError: 'HTTP 500', nextAttemptAt: null, updatedAt: later(300) }]);
      await deliveries.update(d.id, { status: 'delivered', attempts: 4, lastStatusCode: 204, lastError: null, nextAttemptAt: null, updatedAt: later(400), deliveredAt: later(400) });
      expect((await deliveries.listForIncident('inc-1'))[0]).toMatchObject({ status: 'delivered', deliveredAt: later(400), body: d.body });
    });

    it('when a delivery is created once twice with one id, then the first is kept and the second records nothing', async () => {
      const d = delivery({ event: 'postmortem.required', target: 'payments-slack' });
      expect(await deliveries.createOnce(d)).toBe(true);
      expect(await deliveries.createOnce({ ...d, body: '{"other":true}', createdAt: later(99) })).toBe(false);
      expect(await deliveries.listForIncident('inc-1')).toEqual([d]);
      expect(await deliveries.createOnce(delivery({ event: 'postmortem.required', target: 'payments-slack' }))).toBe(true);
      expect(await deliveries.listForIncident('inc-1')).toHaveLength(2);
    });

    it('when pending deliveries are listed, then only pending ones come, oldest first, at most `limit`', async () => {
      const made = [delivery({ createdAt: later(30) }), delivery({ createdAt: later(10), incidentId: 'inc-2' }), delivery({ createdAt: later(20), status: 'delivered', deliveredAt: later(25) }), delivery({ createdAt: later(40) })];
      for (const d of made) await deliveries.create(d);
      expect((await deliveries.listPending(10)).map((d) => d.createdAt)).toEqual([later(10), later(30), later(40)]);
      expect((await deliveries.listPending(2)).map((d) => d.createdAt)).toEqual([later(10), later(30)]);
      await deliveries.update(made[1]!.id, { ...made[1]!, status: 'delivered', deliveredAt: later(50), updatedAt: later(50) });
      expect((await deliveries.listPending(10)).map((d) => d.createdAt)).toEqual([later(30), later(40)]);
    });
  });
}
