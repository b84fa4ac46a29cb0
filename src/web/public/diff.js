// A small line diff (longest common subsequence) for report version history. Reports are a
// few hundred lines at most; beyond the cap the diff falls back to "all removed, all added".

const MAX_CELLS = 4_000_000;

/**
 * @param {string} before old text
 * @param {string} after new text
 * @returns {Array<{ op: ' ' | '-' | '+', line: string }>}
 */
export function lineDiff(before, after) {
  const beforeLines = before === '' ? [] : before.split('\n');
  const afterLines = after === '' ? [] : after.split('\n');
  // Common head and tail first: most versions differ in a few places.
  let start = 0;
  while (start < beforeLines.length && start < afterLines.length && beforeLines[start] === afterLines[start]) start++;
  let endX = beforeLines.length;
  let endY = afterLines.length;
  while (endX > start && endY > start && beforeLines[endX - 1] === afterLines[endY - 1]) { endX--; endY--; }
  const head = beforeLines.slice(0, start).map((line) => ({ op: /** @type {' '} */ (' '), line }));
  const tail = beforeLines.slice(endX).map((line) => ({ op: /** @type {' '} */ (' '), line }));
  const middleBefore = beforeLines.slice(start, endX);
  const middleAfter = afterLines.slice(start, endY);
  /** @type {Array<{ op: ' ' | '-' | '+', line: string }>} */
  let middle;
  if ((middleBefore.length + 1) * (middleAfter.length + 1) > MAX_CELLS) {
    middle = [...middleBefore.map((line) => ({ op: /** @type {'-'} */ ('-'), line })), ...middleAfter.map((line) => ({ op: /** @type {'+'} */ ('+'), line }))];
  } else {
    middle = lcsDiff(middleBefore, middleAfter);
  }
  return [...head, ...middle, ...tail];
}

/** @param {string[]} before @param {string[]} after */
function lcsDiff(before, after) {
  const n = before.length;
  const m = after.length;
  const w = m + 1;
  const table = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i * w + j] = before[i] === after[j] ? table[(i + 1) * w + j + 1] + 1 : Math.max(table[(i + 1) * w + j], table[i * w + j + 1]);
    }
  }
  /** @type {Array<{ op: ' ' | '-' | '+', line: string }>} */
  const out = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (before[i] === after[j]) { out.push({ op: ' ', line: before[i] }); i++; j++; } else if (table[(i + 1) * w + j] >= table[i * w + j + 1]) { out.push({ op: '-', line: before[i] }); i++; } else { out.push({ op: '+', line: after[j] }); j++; }
  }
  while (i < n) out.push({ op: '-', line: before[i++] });
  while (j < m) out.push({ op: '+', line: after[j++] });
  return out;
}
