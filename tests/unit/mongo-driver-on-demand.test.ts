import { openStore } from '../../src/store/open-store';
import { startTestApp } from '../support/test-app';

/*
 * Loading the MongoDB driver allocates bson's 17 MB serialization buffer, resident for the
 * life of the process. A Debrief on the embedded SQLite store must never load it.
 */
// On globalThis: the factory can run while this file's imports are still being loaded.
const driverLoaded = () => (globalThis as { mongoDriverLoaded?: boolean }).mongoDriverLoaded === true;
jest.mock('mongodb', () => {
  (globalThis as { mongoDriverLoaded?: boolean }).mongoDriverLoaded = true;
  return jest.requireActual('mongodb');
});

describe('the MongoDB driver is loaded on demand', () => {
  it('when Debrief runs on SQLite and takes a webhook, then the driver was never loaded', async () => {
    const app = await startTestApp();
    try {
      const res = await app.postAlertmanager({
        version: '4', groupKey: '{}:{alertname="DiskFull"}', status: 'firing', receiver: 'debrief', groupLabels: {}, commonLabels: {}, commonAnnotations: {},
        externalURL: 'http://alertmanager.example:9093', truncatedAlerts: 0,
        alerts: [{ status: 'firing', labels: { alertname: 'DiskFull', service: 'checkout' }, annotations: {}, startsAt: '2026-11-26T10:00:00Z', endsAt: '0001-01-01T00:00:00Z', generatorURL: '', fingerprint: 'a1b2c3d4e5f60718' }],
      });
      expect(res.status).toBe(202);
      await app.settle();
    } finally {
      await app.stop();
    }
    expect(driverLoaded()).toBe(false);
  });

  it('when a mongodb:// store is opened, then the driver is loaded', () => {
    const store = openStore('mongodb://127.0.0.1:1/debrief?replicaSet=rs0');
    expect(store.kind).toBe('mongodb');
    expect(driverLoaded()).toBe(true);
  });
});
