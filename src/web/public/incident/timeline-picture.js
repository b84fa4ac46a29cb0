// The timeline picture the server draws (timeline.svg), shown as an image scaled to its box,
// with the details of what the pointer is on (the picture's own tooltips) written under it.

import { h } from '../dom.js';

/** @typedef {{ x0: number, y0: number, x1: number, y1: number, text: string }} HoverTarget */

/** The `<title>` text of an element's own title child, if it has one. @param {Element} el */
const ownTitle = (el) => [...el.children].find((c) => c.localName === 'title')?.textContent ?? null;
/** @param {Element} el @param {string} name */
const num = (el, name) => Number(el.getAttribute(name) ?? 0);

/**
 * Where the picture's parts with details are, in the picture's own units: bars, markers (their
 * circle and dashed line) and lane names. Read from a parsed copy that is never put in the page.
 * @param {Document} doc
 * @returns {HoverTarget[]}
 */
function hoverTargets(doc) {
  /** @type {HoverTarget[]} */
  const targets = [];
  for (const el of doc.querySelectorAll('rect, g, text')) {
    const text = ownTitle(el);
    if (text === null || el === doc.documentElement) continue;
    if (el.localName === 'rect') {
      const x = num(el, 'x'), y = num(el, 'y');
      targets.push({ x0: x - 2, y0: y - 2, x1: x + num(el, 'width') + 2, y1: y + num(el, 'height') + 2, text });
    } else if (el.localName === 'text') {
      const x = num(el, 'x'), y = num(el, 'y');
      targets.push({ x0: 0, y0: y - 13, x1: x + 2, y1: y + 4, text });
    } else {
      for (const c of el.querySelectorAll('circle')) {
        const cx = num(c, 'cx'), cy = num(c, 'cy'), r = num(c, 'r');
        targets.push({ x0: cx - r, y0: cy - r, x1: cx + r, y1: cy + r, text });
      }
      for (const l of el.querySelectorAll('line')) {
        const x = num(l, 'x1');
        targets.push({ x0: x - 3, y0: Math.min(num(l, 'y1'), num(l, 'y2')), x1: x + 3, y1: Math.max(num(l, 'y1'), num(l, 'y2')), text });
      }
    }
  }
  return targets;
}

/**
 * The SVG is drawn by the server from incident data; it is shown as an image (data: URL), where
 * a browser runs no script and loads nothing, whatever the picture contains. An image shows no
 * tooltips, so the line under it says what the pointer (or a tap) is on: a bar's alert and
 * times, a marker's moment, a lane's full service name.
 * @param {string} svg
 */
export function timelinePicture(svg) {
  const bytes = new TextEncoder().encode(svg);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  const parsed = new DOMParser().parseFromString(svg, 'image/svg+xml');
  const root = parsed.documentElement;
  const label = root.getAttribute('aria-label') ?? 'Timeline picture';
  const [, , vbWidth = 0, vbHeight = 0] = (root.getAttribute('viewBox') ?? '').split(/\s+/).map(Number);
  const targets = parsed.querySelector('parsererror') ? [] : hoverTargets(parsed);
  const hint = 'Point at or tap a bar, marker or lane name for its details.';
  const details = h('p', { class: 'picture-details small', text: hint, attrs: { 'aria-live': 'polite' } });
  // A data: URL built here from the fetched bytes (the href guard in dom.js refuses data: on purpose).
  const img = /** @type {HTMLImageElement} */ (h('img', { attrs: { alt: label }, props: { src: `data:image/svg+xml;base64,${btoa(bin)}` } }));
  const show = (/** @type {MouseEvent} */ ev) => {
    const box = img.getBoundingClientRect();
    if (!box.width || !box.height || !vbWidth || !vbHeight) return;
    const x = (ev.clientX - box.left) * vbWidth / box.width;
    const y = (ev.clientY - box.top) * vbHeight / box.height;
    // The last drawn is on top: markers over bars.
    const hit = targets.findLast((t) => x >= t.x0 && x <= t.x1 && y >= t.y0 && y <= t.y1);
    if (hit && details.textContent !== hit.text) details.textContent = hit.text;
  };
  img.addEventListener('pointermove', show);
  img.addEventListener('click', show);
  return h('figure', { class: 'timeline-picture' },
    img,
    details,
    h('figcaption', { class: 'muted small', text: 'A lane per affected service; bars are alert firing spans (dashed outline: still firing), markers are pages, acknowledgements, mitigation, resolution and notes.' }));
}
