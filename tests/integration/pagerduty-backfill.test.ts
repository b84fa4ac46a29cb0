import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { buildProgram } from '../../src/cli/program';
import { allIncidentDetails } from '../support/api-helpers';
import { startPagerDutyReplayServer, type PagerDutyReplayServer } from '../support/pagerduty-replay-server';
import { PD_TEST_SECRET, pagerdutyV3Body, postPagerDuty, type EventSpec, type PageSpec } from '../support/pagerduty-webhooks';
import { startTestApp } from '../support/test-app';

/*
 * `debrief pagerduty backfill` against the replay server: the recorded incident PT4KHLK plus 100
 * derived copies (101 incidents, so PagerDuty's page size of 100 needs a second page), each with
 * the recorded log entry and two notes, and a rate limit on the first requests.
 */

const TOKEN = 'u+backfill-read-only-key';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

let replay: PagerDutyReplayServer;
let dir: string;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'debrief-backfill-'));
});
afterEach(async () => {
  await replay?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The environment the command reads its configuration from, as in a shell. */
function envFor(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    DEBRIEF_CONFIG: '', DEBRIEF_STORE_URL: `sqlite:${join(dir, 'debrief.db')}`, DEBRIEF_LOG_LEVEL: 'silent',
    DEBRIEF_PAGERDUTY_API_BASE_URL: replay.baseUrl, ...extra,
  };
}

/** `debrief pagerduty backfill <args>` through the real program. */
async function backfill(args: string[], env: NodeJS.ProcessEnv): Promise<{ stdout: string; stderr: string }> {
  const stdout = new Capture();
  const stderr = new Capture();
  await buildProgram({ stdout, stderr, env }).parseAsync(['pagerduty', 'backfill', ...args], { from: 'user' });
  return { stdout: stdout.text, stderr: stderr.text };
}

/** The stored result, read through the API of an app on the same store file. */
async function storedIncidents() {
  const app = await startTestApp({ dir });
  try {
    return await allIncidentDetails(app);
  } finally {
    await app.stop({ keepFiles: true });
  }
}

describe('debrief pagerduty backfill', () => {
  it('when run over a range, then every incident of both pages is imported with its log entries and notes, through a 429', async () => {
    replay = await startPagerDutyReplayServer({ requireToken: TOKEN, derivedIncidents: 100, rateLimit: { count: 4, retryAfter: '1' } });
    const env = envFor({ DEBRIEF_PAGERDUTY_REST_TOKEN: TOKEN });

    const out = await backfill(['--since', '2015-10-01T00:00:00Z', '--until', '2015-12-01T00:00:00Z', '--statuses', 'acknowledged', 'resolved'], env);

    expect(out.stdout).toContain('Imported 101 PagerDuty incident(s) for instance "pagerduty": 303 timeline event(s) fetched, 303 new, 0 already recorded');
    expect(out.stderr).toContain('PagerDuty backfill');
    expect(out.stderr).toContain('101/101 incidents');
    const lists = replay.requests.filter((r) => r.path === '/incidents');
    expect(lists.map((r) => r.query.offset)).toEqual(['0', '0', '0', '0', '0', '100']); // 4 × 429, then two pages
    expect(lists.at(-1)!.query).toMatchObject({
      since: '2015-10-01T00:00:00.000Z', until: '2015-12-01T00:00:00.000Z', 'statuses[]': ['acknowledged', 'resolved'], limit: '100',
    });

    const entries = (await storedIncidents()).flatMap((i) => i.timeline).filter((e) => e.kind.startsWith('pagerduty.'));
    expect(entries).toHaveLength(303);
    expect(entries.filter((e) => e.kind === 'pagerduty.triggered')).toHaveLength(101);
    expect(entries).toContainEqual(expect.objectContaining({
      at: '2015-11-07T00:14:20.000Z', kind: 'pagerduty.triggered', text: 'Triggered by My Mail Service: The server is on fire.',
    }));
  });

  it('when run twice over the same range, then the second run changes nothing', async () => {
    replay = await startPagerDutyReplayServer({ requireToken: TOKEN, derivedIncidents: 2 });
    const env = envFor({ DEBRIEF_PAGERDUTY_REST_TOKEN: TOKEN });
    const args = ['--since', '2015-10-01', '--until', '2015-12-01'];

    await backfill(args, env);
    const once = await storedIncidents();
    const second = await backfill(args, env);
    const twice = await storedIncidents();

    expect(twice).toEqual(once);
    expect(once.flatMap((i) => i.timeline).filter((e) => e.kind.startsWith('pagerduty.'))).toHaveLength(9);
    expect(second.stdout).toContain('Imported 3 PagerDuty incident(s)');
    expect(second.stdout).toContain('9 timeline event(s) fetched, 0 new, 9 already recorded');
  });

  it('when incidents also came by webhook, then each change is on the timeline once, also after a second run', async () => {
    replay = await startPagerDutyReplayServer({ requireToken: TOKEN, derivedIncidents: 0 });
    // The webhooks PagerDuty sent for the recorded incident PT4KHLK, received before the backfill
    // (no REST token on the server, so no enrichment): the trigger (automation: no agent; the log
    // entry names the service and has whole seconds), one of its two notes (same note id as REST),
    // and an acknowledgement the REST recording does not have.
    const page: PageSpec = { id: 'PT4KHLK', number: 1234, title: 'The server is on fire.', incidentKey: 'baf7cf21b1da41b4b0221008339ff357', serviceId: 'PIJ90N7', serviceName: 'My Mail Service' };
    const webhooks: EventSpec[] = [
      { id: '01BACKFILL0TRIG000000000001', type: 'incident.triggered', occurredAt: '2015-11-07T00:14:20.431Z', agent: null },
      { id: '01BACKFILL0NOTE000000000001', type: 'incident.annotated', occurredAt: '2013-03-06T20:28:51.377Z', agent: 'Earline Greenholt', note: 'Firefighters are on the scene.', noteId: 'PWL7QXS' },
      { id: '01BACKFILL0ACK0000000000001', type: 'incident.acknowledged', occurredAt: '2015-11-07T00:20:00.000Z', agent: 'Earline Greenholt' },
    ];
    const server = await startTestApp({ dir, env: { DEBRIEF_PAGERDUTY_SIGNING_SECRETS: PD_TEST_SECRET } });
    try {
      for (const w of webhooks) expect((await postPagerDuty(server, pagerdutyV3Body(page, w))).status).toBe(202);
      await server.settle();
    } finally {
      await server.stop({ keepFiles: true });
    }
    const env = envFor({ DEBRIEF_PAGERDUTY_REST_TOKEN: TOKEN });
    const args = ['--since', '2015-10-01', '--until', '2015-12-01'];

    const first = await backfill(args, env);
    const once = await storedIncidents();
    const second = await backfill(args, env);
    const twice = await storedIncidents();

    expect(first.stdout).toContain('3 timeline event(s) fetched, 1 new, 2 already recorded');
    expect(second.stdout).toContain('3 timeline event(s) fetched, 0 new, 3 already recorded');
    expect(twice).toEqual(once);
    expect(once).toHaveLength(1);
    const entries = once[0]!.timeline.filter((e) => e.kind.startsWith('pagerduty.')) as Array<{ at: string; kind: string; actor: string | null; text: string }>;
    expect(entries.map((e) => [e.at, e.kind, e.actor, e.text])).toEqual([
      ['2013-03-06T20:28:42.000Z', 'pagerduty.annotated', 'A Global Event Rule', 'Initial alert information indicates a 1-alarm fire'],
      ['2013-03-06T20:28:51.377Z', 'pagerduty.annotated', 'Earline Greenholt', 'Firefighters are on the scene.'],
      ['2015-11-07T00:14:20.431Z', 'pagerduty.triggered', null, 'Triggered: The server is on fire.'],
      ['2015-11-07T00:20:00.000Z', 'pagerduty.acknowledged', 'Earline Greenholt', 'Acknowledged by Earline Greenholt'],
    ]);
  });

  it('when no REST token is configured, then it stops before calling PagerDuty and says which variable to set', async () => {
    replay = await startPagerDutyReplayServer({ requireToken: TOKEN });
    await expect(backfill(['--since', '2015-10-01', '--until', '2015-12-01'], envFor())).rejects.toThrow(/DEBRIEF_PAGERDUTY_REST_TOKEN/);
    expect(replay.requests).toEqual([]);
  });

  it('when the range is backwards, then it refuses before calling PagerDuty', async () => {
    replay = await startPagerDutyReplayServer({ requireToken: TOKEN });
    const env = envFor({ DEBRIEF_PAGERDUTY_REST_TOKEN: TOKEN });
    await expect(backfill(['--since', '2015-12-01', '--until', '2015-10-01'], env)).rejects.toThrow(/--since must be before --until/);
    expect(replay.requests).toEqual([]);
  });
});
