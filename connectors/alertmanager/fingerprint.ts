/**
 * Alertmanager's alert fingerprint, recomputed for senders that do not send one.
 *
 * Alertmanager before 0.19 (prometheus/alertmanager#1945, #2227) and many hand-rolled senders
 * omit `fingerprint`. Alertmanager's own value is prometheus/common `model.LabelSet.Fingerprint`
 * (`model/signature.go` labelSetToFingerprint), reproduced here bit for bit so a recomputed
 * value equals the one a newer Alertmanager would have sent for the same labels.
 */

const FNV64_OFFSET = 14695981039346656037n;
const FNV64_PRIME = 1099511628211n;
const MASK64 = 0xffffffffffffffffn;
// model.SeparatorByte: a byte that can never occur in valid UTF-8.
const SEPARATOR = 0xff;

const utf8 = new TextEncoder();

function fnv1aAdd(hash: bigint, bytes: Uint8Array): bigint {
  let state = hash;
  for (const byte of bytes) {
    state = ((state ^ BigInt(byte)) * FNV64_PRIME) & MASK64;
  }
  return state;
}

/**
 * FNV-1a 64-bit over the labels sorted by name, each name and each value followed by 0xFF,
 * as 16 lower-case hex digits (Go `%016x`). An empty label set gives the FNV offset basis,
 * `cbf29ce484222325`, as in Go.
 */
export function alertmanagerFingerprint(labels: Readonly<Record<string, string>>): string {
  const sep = Uint8Array.of(SEPARATOR);
  // Go sorts label names as strings, i.e. by UTF-8 bytes; JS's default sort compares UTF-16
  // code units, which differs for names outside the BMP (UTF-8 names, Prometheus 3).
  const names = Object.keys(labels)
    .map((name) => ({ name, bytes: utf8.encode(name) }))
    .sort((a, b) => Buffer.compare(a.bytes, b.bytes));
  let hash = FNV64_OFFSET;
  for (const { name, bytes } of names) {
    hash = fnv1aAdd(hash, bytes);
    hash = fnv1aAdd(hash, sep);
    hash = fnv1aAdd(hash, utf8.encode(labels[name] ?? ''));
    hash = fnv1aAdd(hash, sep);
  }
  return hash.toString(16).padStart(16, '0');
}
