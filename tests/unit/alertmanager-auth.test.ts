import type { AlertmanagerCredentials } from '../../connectors/alertmanager/alertmanager.credentials';
import type { InboundRequest } from '../../connectors/connector';
import { alertmanagerConnector } from '../../connectors/alertmanager/alertmanager.connector';
import { matchesAnySecret, secretsEqual } from '../../connectors/shared/credentials';

const request = (authorization?: string): InboundRequest => ({
  headers: authorization === undefined ? {} : { authorization },
  rawBody: Buffer.from('{"alerts":[]}'),
});
const basic = (username: string, password: string): string =>
  `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;

const configured: AlertmanagerCredentials = {
  bearerTokens: ['old-token-being-rotated-out', 's3cr3t-token'],
  basicAuth: [{ username: 'alertmanager', password: 'pa:ss wörd' }],
};
const none: AlertmanagerCredentials = { bearerTokens: [], basicAuth: [] };
const authenticate = (authorization: string | undefined, credentials = configured) =>
  alertmanagerConnector.authenticate(request(authorization), credentials);

describe('alertmanager authenticate', () => {
  it('when there is no Authorization header, then the outcome is missing', () => {
    expect(authenticate(undefined)).toMatchObject({ ok: false, reason: 'missing' });
  });

  it('when the Authorization header is blank, then the outcome is missing', () => {
    expect(authenticate('  ')).toMatchObject({ ok: false, reason: 'missing' });
  });

  it('when a configured Bearer token is sent, then it is accepted', () => {
    expect(authenticate('Bearer s3cr3t-token')).toEqual({ ok: true });
  });

  it('when the other token of a rotation pair is sent, then it is accepted too', () => {
    expect(authenticate('Bearer old-token-being-rotated-out')).toEqual({ ok: true });
  });

  it('when the scheme is written in lower case, then it is still Bearer (schemes are case-insensitive)', () => {
    expect(authenticate('bearer s3cr3t-token')).toEqual({ ok: true });
  });

  it('when a wrong Bearer token is sent, then the outcome is invalid', () => {
    expect(authenticate('Bearer s3cr3t-tokem')).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('when a prefix of the token is sent, then the outcome is invalid', () => {
    expect(authenticate('Bearer s3cr3t')).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('when Bearer has no token, then the outcome is invalid', () => {
    expect(authenticate('Bearer ')).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('when configured Basic credentials are sent (password with a colon and non-ASCII), then they are accepted', () => {
    expect(authenticate(basic('alertmanager', 'pa:ss wörd'))).toEqual({ ok: true });
  });

  it('when the Basic password is wrong, then the outcome is invalid', () => {
    expect(authenticate(basic('alertmanager', 'pa:ss word'))).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('when the Basic username is wrong, then the outcome is invalid', () => {
    expect(authenticate(basic('grafana', 'pa:ss wörd'))).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('when Basic credentials are not base64, then the outcome is invalid', () => {
    expect(authenticate('Basic not*base64')).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('when the Bearer token is sent as Basic, then the outcome is invalid', () => {
    expect(authenticate('Basic s3cr3t-token')).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it.each(['Token s3cr3t-token', 'Digest username="alertmanager"', 's3cr3t-token'])(
    'when the header is %j (wrong or no scheme), then the outcome is invalid',
    (header) => {
      expect(authenticate(header)).toMatchObject({ ok: false, reason: 'invalid' });
    },
  );

  it('when the instance has no credentials configured and no header is sent, then the outcome is invalid, not missing', () => {
    expect(authenticate(undefined, none)).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('when the instance has no credentials configured, then even a plausible token is invalid', () => {
    expect(authenticate('Bearer s3cr3t-token', none)).toMatchObject({ ok: false, reason: 'invalid' });
    expect(authenticate(basic('', ''), none)).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('when only empty secrets are configured, then an empty token or password is still invalid', () => {
    const empty: AlertmanagerCredentials = { bearerTokens: [''], basicAuth: [{ username: '', password: '' }] };
    expect(authenticate('Bearer ', empty)).toMatchObject({ ok: false, reason: 'invalid' });
    expect(authenticate(basic('', ''), empty)).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('when only Basic is configured and a Bearer token arrives, then the outcome is invalid', () => {
    const basicOnly: AlertmanagerCredentials = { ...configured, bearerTokens: [] };
    expect(authenticate('Bearer s3cr3t-token', basicOnly)).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('when the outcome is a refusal, then the message does not echo the presented secret', () => {
    const outcome = authenticate('Bearer guess-123');
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.message).not.toContain('guess-123');
  });
});

describe('shared credential comparison', () => {
  it('when the secrets are equal, then they match', () => {
    expect(secretsEqual('abc', 'abc')).toBe(true);
  });

  it('when the secrets differ in length, then they do not match and nothing throws', () => {
    expect(secretsEqual('abc', 'abcd')).toBe(false);
  });

  it('when the list holds an empty secret, then an empty presented secret does not match it', () => {
    expect(matchesAnySecret('', [''])).toBe(false);
  });
});
