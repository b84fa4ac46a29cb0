import { readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { childDebriefFile, startChildDebrief } from '../support/child-debrief';

/**
 * `bin/debrief-server` is how Debrief starts (`npm start`, the Dockerfile, the benchmark): it
 * sets the runtime settings the memory figures were measured with and execs node, so signals
 * reach Debrief itself.
 */

const children = childDebriefFile('debrief-launcher-');

function start(env: Record<string, string> = {}) {
  const dir = children.tempDir();
  return startChildDebrief({ build: children.build, cwd: dir, registry: children.registry, env: { DEBRIEF_STORE_URL: `sqlite:${join(dir, 'debrief.db')}`, DEBRIEF_API_TOKENS: 'ops:admin:launcher-admin-token-0123456789', ...env } });
}

const environOf = (pid: number) => new Map(readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
const argvOf = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);

describe('bin/debrief-server', () => {
  it('when Debrief starts through it, then node runs with two malloc arenas and an 8 MB semi-space, and SIGTERM stops it cleanly', async () => {
    const child = await start();
    expect(readlinkSync(`/proc/${child.pid}/exe`)).toBe(readlinkSync(`/proc/${process.pid}/exe`));
    expect(environOf(child.pid).get('MALLOC_ARENA_MAX')).toBe('2');
    expect(argvOf(child.pid)).toEqual(expect.arrayContaining(['--max-semi-space-size=8', join(children.build, 'src/main.js')]));
    expect((await fetch(`${child.url}/healthz`)).status).toBe(200);

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
});
