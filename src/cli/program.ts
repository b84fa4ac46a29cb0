import { Command } from 'commander';
import { VERSION } from '../app';
import { backtestCommand } from './commands/backtest-command';
import type { CliDeps } from './commands/cli-deps';
import { inboxCommand } from './commands/inbox-command';
import { pagerdutyCommand } from './pagerduty-backfill';

/**
 * The `debrief` command line. Each subcommand lives in its own file and is a factory
 * returning a commander `Command`, registered here with `addCommand`.
 */
export function buildProgram(deps: CliDeps = {}): Command {
  const program = new Command('debrief')
    .description('Debrief: monitoring alerts to incidents and post-mortem drafts. The server starts with `npm start`; these are its offline tools.')
    .version(VERSION);
  if (deps.stdout || deps.stderr) {
    program.configureOutput({
      ...(deps.stdout ? { writeOut: (text: string) => deps.stdout!.write(text) } : {}),
      ...(deps.stderr ? { writeErr: (text: string) => deps.stderr!.write(text) } : {}),
    });
  }
  program.addCommand(backtestCommand(deps));
  program.addCommand(inboxCommand(deps));
  program.addCommand(pagerdutyCommand(deps));
  return program;
}
