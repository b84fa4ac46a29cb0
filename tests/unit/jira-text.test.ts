import { jiraTimeToIso } from '../../connectors/jira/jira.time';
import { adfDescription, wikiDescription } from '../../src/integrations/trackers/jira/jira-description';
import { jiraBrowseUrl, jiraMarkerLabel } from '../../src/domain/trackers/jira-settings';
import { jqlString } from '../../src/integrations/trackers/jira/jira-tracker-client';
import { retryAfterMs } from '../../src/integrations/trackers/jira/jira-rest';

describe('Jira text forms', () => {
  it('when Jira writes a timestamp with an offset without a colon, then it is read as the same instant in UTC', () => {
    expect(jiraTimeToIso('2026-09-27T10:03:11.123+0200')).toBe('2026-09-27T08:03:11.123Z');
    expect(jiraTimeToIso('2026-09-27T10:03:11.123-0530')).toBe('2026-09-27T15:33:11.123Z');
    expect(jiraTimeToIso('2026-09-27T10:03:11.123+02:00')).toBe('2026-09-27T08:03:11.123Z');
    expect(jiraTimeToIso('2026-09-27T08:03:11Z')).toBe('2026-09-27T08:03:11.000Z');
  });

  it('when the text is not a timestamp, then it is null rather than a guess', () => {
    for (const text of ['', 'yesterday', '2026-09-27', '27/Sep/26 10:03 AM', '2026-13-01T00:00:00.000+0000']) expect(jiraTimeToIso(text)).toBeNull();
  });

  it('when a value goes into JQL, then it is one quoted literal whatever it holds', () => {
    expect(jqlString('debrief-ai_1')).toBe('"debrief-ai_1"');
    expect(jqlString('a" OR project = "SECRET')).toBe('"a\\" OR project = \\"SECRET"');
    expect(jqlString('back\\slash')).toBe('"back\\\\slash"');
  });

  it('when an action item id has spaces, then its marker is still one label; the browse URL is the issue page', () => {
    expect(jiraMarkerLabel('ai_1 2')).toBe('debrief-ai_1_2');
    expect(jiraBrowseUrl('https://acme.atlassian.net', 'OPS-12')).toBe('https://acme.atlassian.net/browse/OPS-12');
  });

  it('when the body is empty, then the description is the post-mortem link alone, in both dialects', () => {
    const draft = { body: '  \n\n ', postmortemUrl: 'https://debrief.example/incidents/1/report' };
    expect(adfDescription(draft).content).toEqual([{ type: 'paragraph', content: [
      { type: 'text', text: 'Post-mortem: ' },
      { type: 'text', text: draft.postmortemUrl, marks: [{ type: 'link', attrs: { href: draft.postmortemUrl } }] },
    ] }]);
    expect(wikiDescription(draft)).toBe(`Post-mortem: [${draft.postmortemUrl}|${draft.postmortemUrl}]`);
  });

  it('when Jira says Retry-After in seconds or as a date, then it is milliseconds to wait', () => {
    const now = Date.parse('2026-09-27T08:00:00Z');
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs('Sun, 27 Sep 2026 08:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs(null, now)).toBeNull();
    expect(retryAfterMs('soon', now)).toBeNull();
  });
});
