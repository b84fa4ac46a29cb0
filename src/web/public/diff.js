// A small line diff (longest common subsequence) for report version history. Reports are a
// few hundred lines at most; beyond the cap the diff falls back to "all removed, all added".

const MAX_CELLS = 4_000_000;

/**
 * @param {string} a old text
 * @param {string} b new text
 * @returns {Array<{ op: ' ' | '-' | '+', line: string }>}
 */
export function lineDiff(a, b) {
  const x = a === '' ? [] : a.split('\n');
  const y = b === '' ? [] : b.split('\n');
  // Common head and tail first: most versions differ in a few places.
  let start = 0;
  while (start < x.length && start < y.length && x[start] === y[start]) start++;
  let endX = x.length;
  let endY = y.length;
  while (endX > start && endY > start && x[endX - 1] === y[endY - 1]) { endX--; endY--; }
  const head = x.slice(0, start).map((line) => ({ op: /** @type {' '} */ (' '), line }));
  const tail = x.slice(endX).map((line) => ({ op: /** @type {' '} */ (' '), line }));
  const mx = x.slice(start, endX);
  const my = y.slice(start, endY);
  /** @type {Array<{ op: ' ' | '-' | '+', line: string }>} */
  let middle;
  if ((mx.length + 1) * (my.length + 1) > MAX_CELLS) {
    middle = [...mx.map((line) => ({ op: /** @type {'-'} */ ('-'), line })), ...my.map((line) => ({ op: /** @type {'+'} */ ('+'), line }))];
  } else {
    middle = lcsDiff(mx, my);
  }
  return [...head, ...middle, ...tail];
}

/** @param {string[]} x @param {string[]} y */
function lcsDiff(x, y) {
  const n = x.length;
  const m = y.length;
  const w = m + 1;
  const table = new Uint32Array((n + 1) * w);
  // Only cells inside the table are read; `?? 0` is for the type check, never taken.
  const cell = (/** @type {number} */ i, /** @type {number} */ j) => table[i * w + j] ?? 0;
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i * w + j] = x[i] === y[j] ? cell(i + 1, j + 1) + 1 : Math.max(cell(i + 1, j), cell(i, j + 1));
    }
  }
  /** @type {Array<{ op: ' ' | '-' | '+', line: string }>} */
  const out = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    // i < n and j < m: both lines exist.
    const a = /** @type {string} */ (x[i]);
    const b = /** @type {string} */ (y[j]);
    if (a === b) { out.push({ op: ' ', line: a }); i++; j++; } else if (cell(i + 1, j) >= cell(i, j + 1)) { out.push({ op: '-', line: a }); i++; } else { out.push({ op: '+', line: b }); j++; }
  }
  for (const line of x.slice(i)) out.push({ op: '-', line });
  for (const line of y.slice(j)) out.push({ op: '+', line });
  return out;
}
