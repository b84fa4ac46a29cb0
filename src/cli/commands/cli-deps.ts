/** What every CLI command writes to and reads from; tests pass their own. */
export interface CliDeps {
  stdout?: NodeJS.WritableStream;
  /** Progress bars, warnings and errors. */
  stderr?: NodeJS.WritableStream;
  /** Environment for config loading; default `process.env`. */
  env?: NodeJS.ProcessEnv;
}
