// The timeline picture the server draws (timeline.svg), shown as an image.

import { h } from '../dom.js';

/**
 * The SVG is drawn by the server from incident data; it is shown as an image (data: URL), where
 * a browser runs no script and loads nothing, whatever the picture contains.
 * @param {string} svg
 */
export function timelinePicture(svg) {
  const bytes = new TextEncoder().encode(svg);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  const label = /aria-label="([^"]*)"/.exec(svg)?.[1]?.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&') ?? 'Timeline picture';
  return h('figure', { class: 'timeline-picture' },
    h('div', { class: 'picture-scroll', attrs: { tabindex: '0', role: 'region', 'aria-label': 'Timeline picture (scrolls sideways)' } },
      // A data: URL built here from the fetched bytes (the href guard in dom.js refuses data: on purpose).
      h('img', { attrs: { alt: label }, props: { src: `data:image/svg+xml;base64,${btoa(bin)}` } })),
    h('figcaption', { class: 'muted small', text: 'A lane per affected service; bars are alert firing spans, markers are pages, acknowledgements, mitigation, resolution and notes.' }));
}
