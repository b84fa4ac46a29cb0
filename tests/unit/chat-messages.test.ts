import {
  authorOf, importSpan, isPreselected, isSaid, parseSlackPermalink, slackPermalink, slackTsToIso, toCandidate, withChatEntries,
} from '../../src/domain/chat/chat-messages';
import type { TimelineEntry } from '../../src/domain/timeline';
import { slackFixture } from '../support/slack-api-server';

const context = { incidentId: 'inc-1', channel: 'C1H9RESGL', workspaceUrl: 'https://ghostbusters.slack.com/', preselectEmoji: ['white_check_mark', 'pushpin'], importedAt: '2026-03-01T12:00:00.000Z', importedBy: 'alice' };

describe('chat messages as timeline candidates', () => {
  it('when a Slack ts is read, then it is the message time to the millisecond', () => {
    expect(slackTsToIso('1512085950.000216')).toBe('2017-11-30T23:52:30.000Z');
    expect(slackTsToIso('1483051909.018632')).toBe('2016-12-29T22:51:49.018Z');
  });

  it('when permalinks are built, then they take the two forms Slack publishes for chat.getPermalink', () => {
    // Slack's published examples (tests/fixtures/slack): a message, and a reply inside a thread.
    // Their p-numbers are one digit short of their ts (a slip in the docs); real links carry the
    // ts's ten and six digits, as built here, so the forms are compared around that number.
    const form = (link: string) => link.replace(/\/p\d+/, '/p<ts>');
    const plain = slackFixture<{ permalink: string }>('chat.getPermalink').permalink;
    const threaded = slackFixture<{ permalink: string }>('chat.getPermalink.thread').permalink;
    expect(form(slackPermalink('https://ghostbusters.slack.com', 'C1H9RESGA', '1358546515.000008', null))).toBe(form(plain));
    expect(form(slackPermalink('https://ghostbusters.slack.com/', 'C1H9RESGL', '1358546517.000023', '1358546515.000008'))).toBe(form(threaded));
    expect(slackPermalink('https://ghostbusters.slack.com/', 'C1H9RESGL', '1358546517.000023', '1358546515.000008'))
      .toBe('https://ghostbusters.slack.com/archives/C1H9RESGL/p1358546517000023?thread_ts=1358546515.000008&cid=C1H9RESGL');
    expect(slackPermalink('https://ghostbusters.slack.com/', 'C1', '1358546515.000008', '1358546515.000008')).toBe('https://ghostbusters.slack.com/archives/C1/p1358546515000008');
  });

  it('when a permalink names a thread, then its channel and the parent ts are read back; anything else is null', () => {
    expect(parseSlackPermalink('https://ghostbusters.slack.com/archives/C1H9RESGL/p1358546517000023?thread_ts=1358546515.000008&cid=C1H9RESGL'))
      .toEqual({ channel: 'C1H9RESGL', ts: '1358546517.000023', threadTs: '1358546515.000008' });
    expect(parseSlackPermalink('https://ghostbusters.slack.com/archives/C1H9RESGA/p1358546515000008'))
      .toEqual({ channel: 'C1H9RESGA', ts: '1358546515.000008', threadTs: '1358546515.000008' });
    expect(parseSlackPermalink('https://ghostbusters.slack.com/messages/C1H9RESGA')).toBeNull();
    expect(parseSlackPermalink('not a url')).toBeNull();
  });

  it('when a message is pinned or has a chosen reaction (any skin tone), then it is pre-selected and kept; others not', () => {
    expect(isPreselected({ ts: '1.000001', pinned_to: ['C1'] }, [])).toBe(true);
    expect(isPreselected({ ts: '1.000001', reactions: [{ name: 'white_check_mark' }] }, ['white_check_mark'])).toBe(true);
    expect(isPreselected({ ts: '1.000001', reactions: [{ name: '+1::skin-tone-3' }] }, ['+1'])).toBe(true);
    expect(isPreselected({ ts: '1.000001', reactions: [{ name: 'eyes' }] }, ['white_check_mark'])).toBe(false);
    const candidate = toCandidate({ ts: '1483051909.018632', thread_ts: '1482960137.003543', user: 'U1', text: ' two island ', reactions: [{ name: 'pushpin' }] }, 'Winston', context);
    expect(candidate).toMatchObject({ id: 'slack:C1H9RESGL:1483051909.018632', text: 'two island', author: 'Winston', authorId: 'U1', preselected: true, kept: true, decidedBy: null });
  });

  it('when the author is named, then the message\'s own profile wins, then the lookup, then the bot name, then the id', () => {
    expect(authorOf({ ts: '1.1', user: 'U1', user_profile: { real_name: 'Egon Spengler', display_name: 'spengler' } }, 'Looked Up')).toBe('Egon Spengler');
    expect(authorOf({ ts: '1.1', user: 'U1' }, 'Looked Up')).toBe('Looked Up');
    expect(authorOf({ ts: '1.1', bot_id: 'B1', username: 'ecto1' }, null)).toBe('ecto1');
    expect(authorOf({ ts: '1.1', user: 'U1' }, null)).toBe('U1');
    expect(isSaid({ ts: '1.1', subtype: 'channel_join' })).toBe(false);
    expect(isSaid({ ts: '1.1', subtype: 'bot_message' })).toBe(true);
  });

  it('when a channel import spans an incident, then the margin widens both ends and an open incident reads up to now', () => {
    const now = new Date('2026-03-01T12:00:00.000Z');
    expect(importSpan({ startedAt: '2026-03-01T10:00:00.000Z', endedAt: '2026-03-01T10:30:00.000Z' }, 30, now))
      .toEqual({ oldest: (Date.parse('2026-03-01T09:30:00.000Z') / 1000).toFixed(6), latest: (Date.parse('2026-03-01T11:00:00.000Z') / 1000).toFixed(6) });
    expect(importSpan({ startedAt: '2026-03-01T10:00:00.000Z', endedAt: null }, 0, now).latest).toBe((now.getTime() / 1000).toFixed(6));
    expect(importSpan({ startedAt: '2026-03-01T10:00:00.000Z', endedAt: '2026-03-01T11:50:00.000Z' }, 30, now).latest).toBe((now.getTime() / 1000).toFixed(6));
  });

  it('when kept messages join a timeline, then they go in time order after entries of the same time, with author and permalink', () => {
    const line = (at: string, text: string): TimelineEntry => ({ at, kind: 'alert.fired', source: 'alert', text, actor: null, alertId: text, eventId: null });
    const kept = [
      toCandidate({ ts: String(Date.parse('2026-03-01T10:05:00.000Z') / 1000) + '.000000', user: 'U1', text: 'rolled back' }, 'Alice', context),
      toCandidate({ ts: String(Date.parse('2026-03-01T10:00:00.000Z') / 1000) + '.000000', user: 'U1', text: 'looking' }, 'Alice', context),
    ];
    const merged = withChatEntries([line('2026-03-01T10:00:00.000Z', 'A'), line('2026-03-01T10:10:00.000Z', 'B')], kept);
    expect(merged.map((e) => [e.text, e.actor, e.source])).toEqual([['A', null, 'alert'], ['looking', 'Alice', 'slack'], ['rolled back', 'Alice', 'slack'], ['B', null, 'alert']]);
    expect(merged[2]).toMatchObject({ kind: 'chat.message', eventId: `chat:${kept[0]!.id}`, url: kept[0]!.permalink });
    expect(withChatEntries([line('2026-03-01T10:00:00.000Z', 'A')], [])).toHaveLength(1);
  });
});
