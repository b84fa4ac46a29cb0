import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openChatStore } from '../../src/store/open-chat-store';
import { openDeliveryStore } from '../../src/store/open-delivery-store';
import { openRememberedLinkStore } from '../../src/store/open-remembered-link-store';
import { openReportStore } from '../../src/store/open-report-store';
import { openSearchStore } from '../../src/store/open-search-store';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { describeStoreContract } from './store.contract';
import type { StoreHandles } from './store-contract-support';

/** The store contract on the embedded SQLite store: a temp file per test, as Debrief runs it (WAL, several connections). */
describeStoreContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'debrief-contract-'));
  const file = join(dir, 'debrief.db');
  const opened: SqliteStore[] = [];
  const open = async (): Promise<StoreHandles> => {
    const store = new SqliteStore({ file, synchronous: 'NORMAL' });
    opened.push(store);
    await store.init();
    const reports = openReportStore(store);
    await reports.init();
    const deliveries = openDeliveryStore(store);
    await deliveries.init();
    const links = openRememberedLinkStore(store);
    await links.init();
    const search = openSearchStore(store);
    await search.init();
    const chat = openChatStore(store);
    await chat.init();
    return { store, reports, deliveries, links, search, chat };
  };
  return {
    ...(await open()),
    connectAgain: open,
    async destroy() {
      for (const s of opened) await s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
