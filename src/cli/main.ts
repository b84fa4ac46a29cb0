#!/usr/bin/env node
import { ConfigError } from '../config/load-config';
import { AppError } from '../errors';
import { buildProgram } from './program';

/**
 * `debrief <command>`: the CLI entry (package.json `bin`). Expected failures (bad input,
 * bad config, missing files) print their message; anything else is a bug and prints its stack.
 */
buildProgram()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    const expected = err instanceof AppError || err instanceof ConfigError || (err as NodeJS.ErrnoException | null)?.code === 'ENOENT';
    const text = err instanceof Error ? (expected ? err.message : err.stack ?? err.message) : String(err);
    process.stderr.write(`debrief: ${text}\n`);
    process.exitCode = 1;
  });
