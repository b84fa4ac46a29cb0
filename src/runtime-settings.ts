/**
 * The runtime settings `bin/debrief-server` gives node, which a running process cannot set for
 * itself (glibc reads MALLOC_ARENA_MAX before main; V8 sizes its heap at start). Whoever starts
 * `node dist/src/main.js` directly (a container command or a systemd unit of their own) gets
 * node's defaults, and markedly more resident memory at 100,000 incidents (docs/scaling.md;
 * figures in bench/ingest/RESULTS.md): main.ts says so in the log. Pure.
 */
export function missingRuntimeSettings(env: NodeJS.ProcessEnv, execArgv: readonly string[]): string[] {
  const missing: string[] = [];
  if (env.MALLOC_ARENA_MAX === undefined) missing.push('MALLOC_ARENA_MAX');
  const semiSpace = (args: string) => /--max-semi-space-size[=\s]/.test(args);
  if (!execArgv.some((arg) => semiSpace(`${arg} `)) && !semiSpace(`${env.NODE_OPTIONS ?? ''} `)) missing.push('--max-semi-space-size');
  return missing;
}
