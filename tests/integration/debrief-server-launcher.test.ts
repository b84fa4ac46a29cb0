import { readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { childDebriefFile, startChildDebrief } from '../support/child-debrief';

/**
 * `bin/debrief-server` is how Debrief starts (`npm start`, the Dockerfile, the benchmark): it
 * sets the runtime settings the memory figures were measured with and execs node, so signals
 * reach Debrief itself.
 */

const children = childDebriefFile('debrief-launcher-');

function start(env: Record<string, string> = {}, withoutLauncher = false) {
  const dir = children.tempDir();
  return startChildDebrief({
    build: children.build, cwd: dir, registry: children.registry, withoutLauncher,
    env: { DEBRIEF_STORE_URL: `sqlite:${join(dir, 'debrief.db')}`, DEBRIEF_API_TOKENS: 'ops:admin:launcher-admin-token-0123456789', ...env },
  });
}

/** The log lines (pino JSON) a child wrote so far. */
const logLines = (child: { proc: { logs(): string } }) => child.proc.logs().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg: string; missing?: string[] });
const WITHOUT_SETTINGS = /started without the runtime settings of bin\/debrief-server/;

const environOf = (pid: number) => new Map(readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
const argvOf = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);

describe('bin/debrief-server', () => {
  it('when Debrief starts through it, then node runs with two malloc arenas and an 8 MB semi-space, and SIGTERM stops it cleanly', async () => {
    const child = await start();
    expect(readlinkSync(`/proc/${child.pid}/exe`)).toBe(readlinkSync(`/proc/${process.pid}/exe`));
    expect(environOf(child.pid).get('MALLOC_ARENA_MAX')).toBe('2');
    expect(argvOf(child.pid)).toEqual(expect.arrayContaining(['--max-semi-space-size=8', join(children.build, 'src/main.js')]));
    expect((await fetch(`${child.url}/healthz`)).status).toBe(200);
    expect(logLines(child).filter((l) => WITHOUT_SETTINGS.test(l.msg))).toEqual([]);

    child.proc.child.kill('SIGTERM');
    await child.proc.exitPromise;
    expect(child.proc.exitSignal).toBeNull();
    expect(child.proc.exitCode).toBe(0);
  }, 60_000);

  it('when the service is started by npm start or the Docker image, then it goes through the launcher', () => {
    const root = join(__dirname, '../..');
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toMatch(/&& bin\/debrief-server$/);
    expect(readFileSync(join(root, 'Dockerfile'), 'utf8')).toMatch(/^CMD \["bin\/debrief-server"\]$/m);
  });

  it('when MALLOC_ARENA_MAX is already set, then the launcher keeps it', async () => {
    const child = await start({ MALLOC_ARENA_MAX: '4' });
    expect(environOf(child.pid).get('MALLOC_ARENA_MAX')).toBe('4');
    await child.proc.stop();
  }, 60_000);

  it('when Debrief is started with node directly, then it warns that the runtime settings are missing, naming them', async () => {
    const child = await start({}, true);
    expect(argvOf(child.pid)).not.toContain('--max-semi-space-size=8');
    // The warning is logged right after "listening"; its line may still be in the pipe.
    const warnings = () => logLines(child).filter((l) => WITHOUT_SETTINGS.test(l.msg));
    for (let i = 0; i < 100 && warnings().length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(warnings().map((l) => l.missing)).toEqual([['MALLOC_ARENA_MAX', '--max-semi-space-size']]);
    await child.proc.stop();
  }, 60_000);
});
