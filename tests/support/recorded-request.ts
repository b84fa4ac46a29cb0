import type { IncomingMessage } from 'node:http';

/** One request a loopback vendor server received, as its tests inspect it. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** The JSON body, or null when there was none. */
  body: unknown;
}

/** Reads a request's whole body and records it (the GitHub and Jira loopback servers). */
export async function readRecordedRequest(req: IncomingMessage): Promise<RecordedRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const url = new URL(req.url ?? '/', 'http://loopback');
  const text = Buffer.concat(chunks).toString('utf8');
  return { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body: text ? JSON.parse(text) : null };
}
