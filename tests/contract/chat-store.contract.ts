import type { ChatMessage } from '../../src/domain/chat/chat-message';
import type { ChatStore } from '../../src/store/chat-store';
import { at, fixturePerCase, later, type StoreFactory } from './store-contract-support';

/**
 * The `ChatStore` part of the store contract: chat messages imported as candidate timeline
 * entries, kept or dropped by people. Called by `describeStoreContract`; written against
 * `src/store/chat-store.ts` only.
 */
const message = (incidentId: string, ts: string, minutes: number, over: Partial<ChatMessage> = {}): ChatMessage => ({
  incidentId, id: `slack:C1:${ts}`, channel: 'C1', ts, threadTs: null, at: at(minutes), author: 'Egon Spengler', authorId: 'U1',
  text: `said at ${minutes}`, permalink: `https://acme.slack.com/archives/C1/p${ts.replace('.', '')}`, preselected: false, kept: false,
  importedAt: later(1), importedBy: 'alice', decidedBy: null, ...over,
});

export function describeChatStoreContract(name: string, factory: StoreFactory): void {
  describe(`ChatStore contract (${name})`, () => {
    const fixture = fixturePerCase(factory);
    let chat: ChatStore;

    beforeEach(() => {
      chat = fixture().chat;
    });

    it('when messages are added, then they read back whole, oldest first, only for their incident', async () => {
      const a = message('inc-1', '1000.000002', 5, { preselected: true, kept: true, threadTs: '1000.000001' });
      const b = message('inc-1', '1000.000001', 1);
      expect(await chat.addCandidates([a, b, message('inc-2', '1000.000003', 2)])).toBe(3);
      expect(await chat.listCandidates('inc-1')).toEqual([b, a]);
      expect(await chat.listKept('inc-1')).toEqual([a]);
      expect(await chat.listCandidates('inc-3')).toEqual([]);
    });

    it('when a message is kept or dropped, then it reads back so with who decided, and an unknown one is null', async () => {
      const a = message('inc-1', '1000.000001', 1);
      await chat.addCandidates([a]);
      expect(await chat.setKept('inc-1', a.id, true, 'bob')).toEqual({ ...a, kept: true, decidedBy: 'bob' });
      expect((await chat.listKept('inc-1')).map((m) => m.id)).toEqual([a.id]);
      expect(await chat.setKept('inc-1', 'slack:C1:9.9', true, 'bob')).toBeNull();
      expect(await chat.setKept('inc-2', a.id, true, 'bob')).toBeNull();
      await chat.setKept('inc-1', a.id, false, 'carol');
      expect(await chat.listKept('inc-1')).toEqual([]);
    });

    it('when the same messages are imported again, then nothing is added twice, Slack\'s text is refreshed and a person\'s decision stays', async () => {
      const a = message('inc-1', '1000.000001', 1, { preselected: true, kept: true });
      const b = message('inc-1', '1000.000002', 2);
      await chat.addCandidates([a, b]);
      await chat.setKept('inc-1', a.id, false, 'bob');
      const again = [{ ...a, text: 'edited in Slack', importedAt: later(9), importedBy: 'carol' }, { ...b, preselected: true, kept: true, importedAt: later(9) }];
      expect(await chat.addCandidates(again)).toBe(0);
      const [first, second] = await chat.listCandidates('inc-1');
      expect(first).toMatchObject({ text: 'edited in Slack', kept: false, decidedBy: 'bob', importedAt: later(1), importedBy: 'alice' });
      expect(second).toMatchObject({ preselected: true, kept: true, decidedBy: null });
    });

    it('when another replica opens the same database, then it reads the candidates', async () => {
      await chat.addCandidates([message('inc-1', '1000.000001', 1)]);
      const other = await fixture().connectAgain();
      expect((await other.chat.listCandidates('inc-1')).map((m) => m.ts)).toEqual(['1000.000001']);
    });
  });
}
