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
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i * w + j] = x[i] === y[j] ? table[(i + 1) * w + j + 1] + 1 : Math.max(table[(i + 1) * w + j], table[i * w + j + 1]);
    }
  }
  /** @type {Array<{ op: ' ' | '-' | '+', line: string }>} */
  const out = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (x[i] === y[j]) { out.push({ op: ' ', line: x[i] }); i++; j++; } else if (table[(i + 1) * w + j] >= table[i * w + j + 1]) { out.push({ op: '-', line: x[i] }); i++; } else { out.push({ op: '+', line: y[j] }); j++; }
  }
  while (i < n) out.push({ op: '-', line: x[i++] });
  while (j < m) out.push({ op: '+', line: y[j++] });
  return out;
}
