import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';

/**
 * How inbox bodies are kept on disk. Webhook bodies are JSON full of repeated label names and
 * values: Brotli at its fastest setting shrinks a 36 KiB Alertmanager group about tenfold in
 * well under 0.1 ms. Every byte of a body is written twice (the WAL, then the database file at
 * the checkpoint) and the commit that holds it waits for the disk before the sender gets its
 * 202, so smaller bodies mean shorter fsyncs as well as a smaller file for a retained inbox.
 * The stored bytes decode to exactly the bytes received.
 */

export type BodyEncoding = 'identity' | 'br';

/** Below this a body is kept as it is: too small to gain from compression. */
const MIN_COMPRESS_BYTES = 1024;

export function encodeBody(body: Buffer): { encoding: BodyEncoding; data: Buffer } {
  if (body.length < MIN_COMPRESS_BYTES) return { encoding: 'identity', data: body };
  const data = brotliCompressSync(body, { params: {
    [constants.BROTLI_PARAM_QUALITY]: 1,
    [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
    [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
  } });
  return data.length < body.length ? { encoding: 'br', data } : { encoding: 'identity', data: body };
}

export function decodeBody(encoding: string, data: Buffer): Buffer {
  if (encoding === 'identity') return data;
  if (encoding === 'br') return brotliDecompressSync(data);
  throw new Error(`inbox body stored with an unknown encoding "${encoding}"`);
}
