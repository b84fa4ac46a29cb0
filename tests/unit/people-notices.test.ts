import {
  noticeKey, noticeTargets, reportPageUrl, slackEscape, slackMessage, webhookNotice, type Notice, type NoticeRouting,
} from '../../src/domain/notify/people-notices';

const routing: NoticeRouting = {
  teams: {
    payments: { targets: ['payments-slack', 'audit-hook'], off: ['draft.waiting'] },
    orders: { targets: ['orders-slack', 'audit-hook'], off: [] },
  },
  publishers: ['publishers-slack'],
};

const notice = (over: Partial<Notice> = {}): Notice => ({
  kind: 'postmortem.required', incidentId: 'inc_1', title: 'Checkout errors', severity: 'critical', services: ['checkout', 'orders'],
  version: 1, actor: null, ...over,
});

describe('which notices go to which targets', () => {
  it('when a post-mortem is required, then every owning team\'s targets are told, each target once', () => {
    expect(noticeTargets(notice(), ['payments', 'orders'], routing)).toEqual(['payments-slack', 'audit-hook', 'orders-slack']);
  });

  it('when a team switched a kind off, then that team is not told of it while the others are', () => {
    expect(noticeTargets(notice({ kind: 'draft.waiting', waitingDays: 4 }), ['payments', 'orders'], routing)).toEqual(['orders-slack', 'audit-hook']);
  });

  it('when a draft is submitted for review, then the publishers are told and not the teams', () => {
    expect(noticeTargets(notice({ kind: 'report.submitted', actor: 'alice' }), ['payments', 'orders'], routing)).toEqual(['publishers-slack']);
  });

  it('when published or overdue, then the owning teams are told', () => {
    expect(noticeTargets(notice({ kind: 'report.published' }), ['orders'], routing)).toEqual(['orders-slack', 'audit-hook']);
    expect(noticeTargets(notice({ kind: 'action-items.overdue' }), ['payments'], routing)).toEqual(['payments-slack', 'audit-hook']);
  });

  it('when no owning team is configured (or the services have none), then nobody is told', () => {
    expect(noticeTargets(notice(), ['web'], routing)).toEqual([]);
    expect(noticeTargets(notice(), [], routing)).toEqual([]);
  });
});

describe('one notice per item per kind', () => {
  it('when the same subject and kind come again, then the key is the same; another kind, version or item gives another key', () => {
    expect(noticeKey(notice())).toBe(noticeKey(notice({ title: 'renamed' })));
    expect(noticeKey(notice())).not.toBe(noticeKey(notice({ kind: 'draft.waiting' })));
    expect(noticeKey(notice({ kind: 'report.published', version: 1 }))).not.toBe(noticeKey(notice({ kind: 'report.published', version: 2 })));
    const item = { id: 'ai_1', title: 'Add a pool alert', owner: 'bob', dueDate: '2026-03-10' };
    expect(noticeKey(notice({ kind: 'action-items.overdue', item }))).not.toBe(noticeKey(notice({ kind: 'action-items.overdue', item: { ...item, id: 'ai_2' } })));
  });
});

describe('the link to the page', () => {
  it('when a public URL is set, then the report page is linked under it; without one there is no link', () => {
    expect(reportPageUrl('https://debrief.example.com/', 'inc 1')).toBe('https://debrief.example.com/ui/incidents/inc%201/report');
    expect(reportPageUrl(null, 'inc_1')).toBeNull();
  });
});

describe('Slack incoming-webhook message', () => {
  it('when built, then it has the fallback `text` and one mrkdwn section block with the link as <url|label>', () => {
    const body = slackMessage(notice({ kind: 'report.submitted', actor: 'alice' }), 'https://debrief.example.com/ui/incidents/inc_1/report');
    expect(body).toEqual({
      text: 'The post-mortem of inc_1 "Checkout errors" was submitted for review by alice. https://debrief.example.com/ui/incidents/inc_1/report',
      blocks: [{
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: 'The post-mortem of inc_1 "Checkout errors" was submitted for review by alice.\n_severity critical · services checkout, orders_\n<https://debrief.example.com/ui/incidents/inc_1/report|Open the post-mortem>',
        },
      }],
    });
  });

  it('when the title holds <, > or &, then they are escaped in mrkdwn so they cannot form links or mentions', () => {
    expect(slackEscape('a <!channel> & <http://x|y>')).toBe('a &lt;!channel&gt; &amp; &lt;http://x|y&gt;');
    const body = slackMessage(notice({ title: '<!here> db & cache' }), null);
    expect((body.blocks[0] as { text: { text: string } }).text.text).toBe('A post-mortem is required for inc_1 "&lt;!here&gt; db &amp; cache".\n_severity critical · services checkout, orders_');
  });

  it('when each kind is told, then the headline says what happened', () => {
    const item = { id: 'ai_1', title: 'Add a pool alert', owner: 'bob', dueDate: '2026-03-10' };
    expect(slackMessage(notice({ kind: 'draft.waiting', waitingDays: 1 }), null).text).toBe('The post-mortem draft of inc_1 "Checkout errors" has waited 1 day.');
    expect(slackMessage(notice({ kind: 'action-items.overdue', item }), null).text).toBe('Action item "Add a pool alert" (owner bob) of inc_1 "Checkout errors" is overdue since 2026-03-10.');
    expect(slackMessage(notice({ kind: 'report.published', actor: 'carol' }), null).text).toBe('The post-mortem of inc_1 "Checkout errors" was published by carol.');
  });
});

describe('generic webhook body', () => {
  it('when built, then it names the event, the incident, the link and the kind\'s own facts', () => {
    const item = { id: 'ai_1', title: 'Add a pool alert', owner: null, dueDate: '2026-03-10' };
    expect(webhookNotice(notice({ kind: 'action-items.overdue', item, version: 0 }), 'ntc_1', '2026-03-11T00:00:00.000Z', 'https://d.example/ui/incidents/inc_1/report')).toEqual({
      event: 'action-items.overdue', deliveryId: 'ntc_1', createdAt: '2026-03-11T00:00:00.000Z',
      text: 'Action item "Add a pool alert" of inc_1 "Checkout errors" is overdue since 2026-03-10.', link: 'https://d.example/ui/incidents/inc_1/report',
      incident: { id: 'inc_1', title: 'Checkout errors', severity: 'critical', services: ['checkout', 'orders'] }, version: 0, actor: null, actionItem: item,
    });
  });
});
