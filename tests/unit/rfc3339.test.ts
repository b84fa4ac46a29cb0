import { parseRfc3339 } from '../../connectors/shared/rfc3339';

const iso = (text: string): string | null | undefined => {
  const result = parseRfc3339(text);
  return result.ok ? result.iso : undefined;
};

describe('parseRfc3339', () => {
  describe('when the text is a valid RFC 3339 time, then it returns UTC with milliseconds', () => {
    it.each([
      ['2026-11-26T14:53:12Z', '2026-11-26T14:53:12.000Z'],
      ['2026-11-26T14:53:13.361Z', '2026-11-26T14:53:13.361Z'],
      ['2026-11-26T14:53:13.3Z', '2026-11-26T14:53:13.300Z'],
      ['2020-02-06T00:17:58.432911368Z', '2020-02-06T00:17:58.432Z'],
      ['2018-03-07T06:33:21.873077559-05:00', '2018-03-07T11:33:21.873Z'],
      ['2021-10-12T09:51:03.157076+02:00', '2021-10-12T07:51:03.157Z'],
      ['2017-08-03T15:17:37.804-04:00', '2017-08-03T19:17:37.804Z'],
      ['2026-11-26T14:53:12+00:00', '2026-11-26T14:53:12.000Z'],
      ['2026-11-26T14:53:12-00:00', '2026-11-26T14:53:12.000Z'],
      ['2026-11-26T14:53:12+05:45', '2026-11-26T09:08:12.000Z'],
      ['2026-01-01T01:00:00+02:00', '2025-12-31T23:00:00.000Z'],
      ['2025-12-31T23:30:00-01:00', '2026-01-01T00:30:00.000Z'],
      ['2024-02-29T12:00:00Z', '2024-02-29T12:00:00.000Z'],
      ['2026-11-26t14:53:12z', '2026-11-26T14:53:12.000Z'],
    ])('when %s, then %s', (text, expected) => {
      expect(iso(text)).toBe(expected);
    });
  });

  it('when sub-millisecond digits would round up, then they are truncated instead', () => {
    expect(iso('2026-12-31T23:59:59.999999999Z')).toBe('2026-12-31T23:59:59.999Z');
  });

  it('when the year is below 100, then it is not mistaken for 19xx', () => {
    expect(iso('0002-03-04T05:06:07Z')).toBe('0002-03-04T05:06:07.000Z');
  });

  describe("when the text is Alertmanager's zero time or empty, then it means no time", () => {
    it.each([
      '0001-01-01T00:00:00Z',
      '0001-01-01T00:00:00.000Z',
      '0001-01-01T00:00:00+00:00',
      '0000-12-31T19:03:58-04:56',
      '',
    ])('when %j, then null', (text) => {
      expect(parseRfc3339(text)).toEqual({ ok: true, iso: null });
    });
  });

  describe('when the text is not RFC 3339, then it is rejected with a reason', () => {
    it.each([
      '2026-11-26',
      '2026-11-26 14:53:12Z',
      '2026-11-26T14:53:12',
      '2026-11-26T14:53Z',
      '2026-11-26T14:53:12.Z',
      '2026-11-26T14:53:12.1234567890Z',
      '2026-11-26T14:53:12+0200',
      '2026-11-26T14:53:12+02',
      '2026-02-29T00:00:00Z',
      '2026-04-31T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-00-10T00:00:00Z',
      '2026-11-26T24:00:00Z',
      '2026-11-26T23:60:00Z',
      '2026-11-26T23:59:60Z',
      '2026-11-26T14:53:12+24:00',
      '2026-11-26T14:53:12Z ',
      ' 2026-11-26T14:53:12Z',
      'Thu Nov 26 2026 14:53:12 GMT',
      '1732632792',
      '0001-13-01T00:00:00Z',
    ])('when %j, then not ok', (text) => {
      const result = parseRfc3339(text);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toMatch(/^not an RFC 3339 time/);
    });
  });
});
