import { UnavailableError } from '../../src/errors';
import { openDeliveryStore } from '../../src/store/open-delivery-store';
import { openReportStore } from '../../src/store/open-report-store';
import { openStore } from '../../src/store/open-store';
import { MongoDeliveryStore } from '../../src/store/mongo/mongo-delivery-store';
import { guardSqliteFaults } from '../../src/store/sqlite/sqlite-faults';
import { createMongoStores } from '../../src/store/mongo/create-mongo-stores';
import { MongoConnection, ReplicaSetRequiredError, mongoClientOptions, mongoUrlWithDatabase, parseMongoUrl } from '../../src/store/mongo/mongo-connection';
import { MongoStore } from '../../src/store/mongo/mongo-store';

// No MongoDB server can run on these machines (docs/toolchain.md, "MongoDB"): these tests cover what needs no
// server — URL handling, client options, and failing fast and cleanly when nothing listens.
// Port 1 on loopback is closed, so connecting is refused at once.
const CLOSED = 'mongodb://127.0.0.1:1/debrief?serverSelectionTimeoutMS=300';

describe('MongoDB connection without a server', () => {
  it('when nothing listens, then init rejects with an UnavailableError naming the server, and close still works', async () => {
    const { store } = createMongoStores(CLOSED);
    const err = await store.init().then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as Error).message).toMatch(/^store unavailable: cannot use MongoDB at mongodb:\/\/127\.0\.0\.1:1\/debrief.*ECONNREFUSED 127\.0\.0\.1:1/);
    await expect(store.ping()).rejects.toThrow(UnavailableError);
    await store.close();
  }, 5000);

  it('when nothing listens, then the report and delivery stores reject their init the same way', async () => {
    const { store, reportStore, deliveryStore } = createMongoStores(CLOSED);
    await expect(reportStore.init()).rejects.toThrow(UnavailableError);
    await expect(deliveryStore.init()).rejects.toThrow(UnavailableError);
    await store.close();
  }, 5000);

  it('when the timeout comes from settings instead of the URL, then init still fails as unavailable', async () => {
    const store = openStore('mongodb://127.0.0.1:1/debrief', { mongo: { serverSelectionTimeoutMs: 300 } });
    expect(store).toBeInstanceOf(MongoStore);
    await expect(store.init()).rejects.toThrow(UnavailableError);
    await store.close();
  }, 5000);

  it('when credentials are in the URL, then the error message does not show them', async () => {
    const { store } = createMongoStores('mongodb://debrief:s3cr3t-pw@127.0.0.1:1/debrief?serverSelectionTimeoutMS=300');
    const err = (await store.init().catch((e: unknown) => e)) as Error;
    expect(err.message).toContain('mongodb://***@127.0.0.1:1/debrief');
    expect(err.message).not.toContain('s3cr3t-pw');
    await store.close();
  }, 5000);

  it('when a store is used before init, then it says so instead of failing obscurely', async () => {
    const { store } = createMongoStores(CLOSED);
    await expect(store.countIncidents()).rejects.toThrow('the MongoDB store is not initialised (call init() first)');
    await store.close();
  });
});

describe('opening the stores from store.url', () => {
  it('when store.url is a mongodb URL, then the report and delivery stores beside it are MongoDB ones too, also through a fault guard', async () => {
    const store = guardSqliteFaults(openStore('mongodb://127.0.0.1:1/debrief?serverSelectionTimeoutMS=300'));
    expect(store.kind).toBe('mongodb');
    expect(openReportStore(store).kind).toBe('mongodb');
    expect(openDeliveryStore(store)).toBeInstanceOf(MongoDeliveryStore);
    await store.close();
  });

  it('when store.url is a mongodb+srv URL, then it is a MongoDB store as well', async () => {
    const store = openStore('mongodb+srv://cluster0.example.invalid/prod');
    expect(store).toBeInstanceOf(MongoStore);
    await store.close();
  });
});

describe('parseMongoUrl', () => {
  it('when the URL names a database, then it is used; without one, then "debrief"', () => {
    expect(parseMongoUrl('mongodb://h1:27017,h2:27017/incidents?replicaSet=rs0').database).toBe('incidents');
    expect(parseMongoUrl('mongodb://localhost:27017').database).toBe('debrief');
    expect(parseMongoUrl('mongodb://localhost/?replicaSet=rs0').database).toBe('debrief');
    expect(parseMongoUrl('mongodb+srv://u:p@cluster0.example.net/prod').database).toBe('prod');
  });

  it('when the URL sets options, then their names are known case-insensitively', () => {
    const p = parseMongoUrl('mongodb://h/db?serverSelectionTimeoutMS=300&W=1&readConcernLevel=local');
    expect([...p.urlOptions].sort()).toEqual(['readconcernlevel', 'serverselectiontimeoutms', 'w']);
  });

  it('when a test needs its own database, then the URL keeps hosts, credentials and options and names that database', () => {
    expect(mongoUrlWithDatabase('mongodb://u:p@h1:1,h2:2/prod?replicaSet=rs0', 'debrief_test_1')).toBe('mongodb://u:p@h1:1,h2:2/debrief_test_1?replicaSet=rs0');
    expect(mongoUrlWithDatabase('mongodb://localhost:27017', 'x')).toBe('mongodb://localhost:27017/x');
    expect(parseMongoUrl(mongoUrlWithDatabase('mongodb+srv://c.example.net/?retryWrites=true', 'y')).database).toBe('y');
  });

  it('when the URL is not a MongoDB URL or names an invalid database, then it is refused with the reason', () => {
    expect(() => parseMongoUrl('postgres://h/db')).toThrow('not a mongodb:// or mongodb+srv:// URL with a host');
    expect(() => parseMongoUrl('mongodb://h/a.b')).toThrow('"a.b" is not a valid MongoDB database name');
  });
});

describe('mongoClientOptions', () => {
  it('when the URL sets nothing, then short timeouts from the settings and majority concerns apply', () => {
    const o = mongoClientOptions(parseMongoUrl('mongodb://h/db'), { serverSelectionTimeoutMs: 1500, connectTimeoutMs: 700 });
    expect(o).toMatchObject({
      serverSelectionTimeoutMS: 1500, connectTimeoutMS: 700, writeConcern: { w: 'majority' }, readConcern: { level: 'majority' },
      ignoreUndefined: true, promoteBuffers: true, retryWrites: true,
    });
  });

  it('when there are no settings, then the timeouts default to 5 s instead of the driver\'s 30 s', () => {
    const o = mongoClientOptions(parseMongoUrl('mongodb://h/db'));
    expect(o.serverSelectionTimeoutMS).toBe(5000);
    expect(o.connectTimeoutMS).toBe(5000);
  });

  it('when the URL lowers the write concern, then reads are not made majority reads (they would miss the process\'s own writes)', () => {
    const o = mongoClientOptions(parseMongoUrl('mongodb://h/db?w=1'));
    expect(o.writeConcern).toBeUndefined();
    expect(o.readConcern).toBeUndefined();
  });

  it('when the URL sets an option, then the client options leave it to the URL (object options would win)', () => {
    const o = mongoClientOptions(parseMongoUrl('mongodb://h/db?serverSelectionTimeoutMS=300&w=1&readConcernLevel=local'), { serverSelectionTimeoutMs: 9000 });
    expect(o.serverSelectionTimeoutMS).toBeUndefined();
    expect(o.writeConcern).toBeUndefined();
    expect(o.readConcern).toBeUndefined();
  });
});

describe('MongoConnection start-up checks', () => {
  it('when the server is a standalone mongod, then the error says a replica set is needed and how to get one', () => {
    const err = new ReplicaSetRequiredError('mongodb://u:pw@h/db');
    expect(err.message).toContain('must be a replica set');
    expect(err.message).toContain('--replSet');
    expect(err.message).not.toContain(':pw@');
  });

  it('when a connection was never opened, then close is a no-op', async () => {
    await expect(new MongoConnection('mongodb://h/db').close()).resolves.toBeUndefined();
  });
});
