import { createHash, randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../e2e/support/ports';
import { ProcessRegistry, startProcess, type ManagedProcess } from '../e2e/support/processes';

/**
 * Debrief as a real child process (`bin/debrief-server dist/src/main.js`), for tests about processes:
 * several replicas on one store, SIGKILL, graceful stop.
 *
 * The build is shared by every test file of a run (and across runs while the sources do not
 * change): it is keyed by a hash of the sources and tsconfig files, written to a temp dir and
 * renamed into place, so concurrent jest workers never see a half-written build.
 */

const ROOT = resolve(__dirname, '../..');
const BUILD_PREFIX = 'debrief-child-build-';
const STALE_BUILD_MS = 3600_000;

function sourceHash(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const st = statSync(path);
      if (st.isDirectory()) walk(path);
      else {
        hash.update(relative(ROOT, path));
        hash.update(readFileSync(path));
      }
    }
  };
  for (const dir of ['src', 'connectors']) walk(join(ROOT, dir));
  for (const file of ['tsconfig.json', 'tsconfig.build.json', 'package.json']) hash.update(readFileSync(join(ROOT, file)));
  return hash.digest('hex').slice(0, 16);
}

/** Removes builds of older sources left by earlier runs (only this module's, never others'). */
function pruneStaleBuilds(keep: string): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(BUILD_PREFIX)) continue;
    const path = join(tmpdir(), name);
    if (path === keep) continue;
    try {
      if (Date.now() - statSync(path).mtimeMs > STALE_BUILD_MS) rmSync(path, { recursive: true, force: true });
    } catch {
      // another run may be removing it too
    }
  }
}

/**
 * Builds Debrief (`tsc -p tsconfig.build.json`) once for these sources and returns the output
 * directory (holding `src/main.js`). `DEBRIEF_CHILD_BUILD=<dir>` uses that build instead.
 */
export async function buildDebrief(): Promise<string> {
  // An existing build (e.g. `dist` from `npm run build`, or a patched copy for an experiment).
  const given = process.env.DEBRIEF_CHILD_BUILD;
  if (given) {
    if (!existsSync(join(given, 'src/main.js'))) throw new Error(`DEBRIEF_CHILD_BUILD=${given} holds no src/main.js`);
    return resolve(given);
  }
  const dir = join(tmpdir(), `${BUILD_PREFIX}${sourceHash()}`);
  pruneStaleBuilds(dir);
  if (existsSync(join(dir, '.complete'))) return dir;
  const staging = `${dir}.staging-${process.pid}-${randomUUID().slice(0, 8)}`;
  mkdirSync(staging, { recursive: true });
  try {
    // tsc emits even when other parts of the tree have type errors (helpers edit it concurrently);
    // what matters here is that main.js exists. `npx tsc --noEmit` is the type check.
    await promisify(execFile)(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', staging], { cwd: ROOT })
      .catch((err: { stdout?: string }) => {
        if (!existsSync(join(staging, 'src/main.js'))) throw new Error(`build failed: ${err.stdout ?? String(err)}`);
      });
    writeFileSync(join(staging, '.complete'), new Date().toISOString());
    try {
      renameSync(staging, dir);
    } catch {
      // Another worker finished the same build first: use theirs.
      if (!existsSync(join(dir, '.complete'))) throw new Error(`could not place the build in ${dir}`);
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return dir;
}

export interface ChildDebriefOptions {
  /** From `buildDebrief()`. */
  build: string;
  /** Working directory (relative paths in the config resolve here). */
  cwd: string;
  /** Environment variables for Debrief (`DEBRIEF_*`); PATH, NODE_PATH, host and port are added. */
  env: Record<string, string>;
  registry: ProcessRegistry;
  name?: string;
  /** Port to listen on; a free one by default. */
  port?: number;
  /** How long to wait for `/healthz` (default 20 s). */
  startTimeoutMs?: number;
  /** Start `node main.js` directly instead of through bin/debrief-server (default false). */
  withoutLauncher?: boolean;
  /** Run as this user and group (the test runs as root: see `StartProcessOptions.uid`). */
  uid?: number;
  gid?: number;
}

export interface ChildDebrief {
  name: string;
  url: string;
  port: number;
  proc: ManagedProcess;
  readonly pid: number;
}

/**
 * Starts `<build>/src/main.js` the way Debrief ships, through `bin/debrief-server` (its runtime
 * settings; the launcher execs node, so the pid is node's), on 127.0.0.1, and waits until it
 * answers `/healthz`.
 */
export async function startChildDebrief(options: ChildDebriefOptions): Promise<ChildDebrief> {
  const port = options.port ?? (await freePort());
  const name = options.name ?? `debrief:${port}`;
  const main = join(options.build, 'src/main.js');
  const [command, args] = options.withoutLauncher ? [process.execPath, [main]] : [join(ROOT, 'bin/debrief-server'), [main]];
  const proc = startProcess(command, args, {
    name, cwd: options.cwd, registry: options.registry, uid: options.uid, gid: options.gid,
    env: {
      PATH: process.env.PATH, NODE_PATH: join(ROOT, 'node_modules'), DEBRIEF_NODE: process.execPath,
      DEBRIEF_HOST: '127.0.0.1', DEBRIEF_PORT: String(port), DEBRIEF_LOG_LEVEL: 'warn',
      ...options.env,
    },
  });
  const url = `http://127.0.0.1:${port}`;
  await proc.waitForHttp(`${url}/healthz`, { timeoutMs: options.startTimeoutMs ?? 20_000, intervalMs: 50 });
  return {
    name, url, port, proc,
    get pid() {
      if (proc.pid === undefined) throw new Error(`${name} has no pid`);
      return proc.pid;
    },
  };
}

export interface ChildDebriefFile {
  /** The shared build (`buildDebrief()`), ready before the file's first test. */
  readonly build: string;
  /** Every child started with it is stopped after the file's tests. */
  readonly registry: ProcessRegistry;
  /** A new temp dir, removed after the processes have stopped (also when a test failed). */
  tempDir(): string;
}

/**
 * What every test file about child processes sets up: the build before its first test, and
 * after its last one its processes stopped, then their temp dirs removed. Call at the top
 * level of the file.
 */
export function childDebriefFile(dirPrefix: string): ChildDebriefFile {
  let build: string | undefined;
  const registry = new ProcessRegistry();
  const dirs: string[] = [];
  beforeAll(async () => {
    build = await buildDebrief();
  }, 180_000);
  afterAll(async () => {
    await registry.stopAll();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  return {
    get build() {
      if (build === undefined) throw new Error('childDebriefFile: the build is made in beforeAll; use it inside tests');
      return build;
    },
    registry,
    tempDir() {
      const dir = mkdtempSync(join(tmpdir(), dirPrefix));
      dirs.push(dir);
      return dir;
    },
  };
}
