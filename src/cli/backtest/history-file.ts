import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { ValidationError } from '../../errors';

/**
 * One recorded webhook delivery, one per line of a history file (JSON lines):
 * `{"receivedAt": "<ISO-8601 UTC>", "instance": "<connector instance id>", "body": {...}}`.
 *
 * This is what `debrief inbox export` writes and what `debrief backtest` and the correlation
 * bench read. `body` is the sender's JSON body unchanged (an Alertmanager webhook body for
 * the `alertmanager` instance); `receivedAt` is when Debrief received it, which a replay uses
 * as processing time. Event times come from the body itself.
 */
export const historyLineSchema = z.object({
  receivedAt: z.string().refine((text) => !Number.isNaN(Date.parse(text)), 'must be an ISO-8601 time'),
  instance: z.string().min(1),
  body: z.unknown().refine((body) => body !== undefined && body !== null, 'must be the JSON body'),
});
export interface HistoryLine {
  /** ISO-8601 UTC time Debrief received the body. */
  receivedAt: string;
  /** Connector instance id the body arrived on (`POST /webhooks/<instance>`). */
  instance: string;
  /** The sender's JSON body. */
  body: unknown;
}

export const formatHistoryLine = (line: HistoryLine): string =>
  JSON.stringify({ receivedAt: line.receivedAt, instance: line.instance, body: line.body });

/** Parses one line; throws ValidationError naming the line number and the failing field. */
export function parseHistoryLine(text: string, lineNo: number): HistoryLine {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ValidationError(`history line ${lineNo}: not valid JSON (${(err as Error).message})`);
  }
  const parsed = historyLineSchema.safeParse(json);
  if (!parsed.success) {
    const details = parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.') || '(line)', message: issue.message }));
    throw new ValidationError(`history line ${lineNo}: ${details.map((detail) => `${detail.path}: ${detail.message}`).join('; ')}`, details);
  }
  return parsed.data as HistoryLine;
}

export interface HistoryRecord {
  lineNo: number;
  line: HistoryLine;
  /** Bytes of the file consumed so far (for progress). */
  bytesRead: number;
}

/** Streams a history file line by line (blank lines skipped), so large files stay out of memory. */
export async function* readHistoryFile(file: string): AsyncGenerator<HistoryRecord> {
  const rl = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let lineNo = 0;
  let bytesRead = 0;
  for await (const text of rl) {
    lineNo += 1;
    bytesRead += Buffer.byteLength(text, 'utf8') + 1;
    if (text.trim() === '') continue;
    yield { lineNo, line: parseHistoryLine(text, lineNo), bytesRead };
  }
}

export const historyFileBytes = (file: string): number => statSync(file).size;
