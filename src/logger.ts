import pino, { type Logger } from 'pino';

/**
 * What is never written to a log, whatever logs it: credentials in headers and any field named
 * like a secret. One list for the HTTP thread, the inbox worker and the CLI.
 */
export const REDACTED_PATHS = ['req.headers.authorization', 'headers.authorization', '*.token', '*.password', '*.secret', '*.restToken', '*.auth.token', 'trackers.jira.auth.token', '*.botToken'];

/** Debrief's logger at `log.level`, secrets redacted. */
export function createLogger(level: string): Logger {
  return pino({ level, redact: REDACTED_PATHS });
}
