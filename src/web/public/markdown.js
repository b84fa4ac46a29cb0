// Markdown preview without HTML strings: markdown-it (served from node_modules, raw HTML off)
// parses the text into tokens, and this module builds DOM nodes from an allowlist of tags,
// with text always as text nodes and links only to http(s)/mailto. The server renders the
// same Markdown for exports with markdown-it + sanitize-html; the preview aims to look alike.

import markdownit from './markdown-it.mjs';
import { h, safeUrl } from './dom.js';

/** @typedef {import('./markdown-it.mjs').Token} Token */

const md = markdownit({ html: false, linkify: true, typographer: false, breaks: false });

// Headings inside a section start below the page's own h2/h3.
const HEADING_SHIFT = 2;
const BLOCK_TAGS = new Set(['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'li', 'blockquote', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'strong', 'em', 's', 'a']);

/**
 * Renders Markdown to a fragment of safe DOM nodes.
 * @param {string | null | undefined} text
 * @returns {DocumentFragment}
 */
export function renderMarkdown(text) {
  const frag = document.createDocumentFragment();
  if (!text) return frag;
  renderTokens(md.parse(String(text), {}), frag);
  return frag;
}

/**
 * @param {Token[]} tokens
 * @param {Node} root
 */
function renderTokens(tokens, root) {
  /** @type {Node[]} */
  const stack = [root];
  // The root never leaves the stack (see the pop below).
  const top = () => stack[stack.length - 1] ?? root;
  for (const t of tokens) {
    if (t.type === 'inline') {
      renderTokens(t.children ?? [], top());
      continue;
    }
    if (t.nesting === 1) {
      // Tight list paragraphs are hidden: their children go straight into the <li>.
      if (t.hidden) { stack.push(top()); continue; }
      const el = open(t);
      top().appendChild(el);
      stack.push(el);
      continue;
    }
    if (t.nesting === -1) {
      if (stack.length > 1) stack.pop();
      continue;
    }
    top().appendChild(leaf(t));
  }
}

/** @param {Token} t */
function open(t) {
  let tag = String(t.tag);
  if (/^h[1-6]$/.test(tag)) tag = `h${Math.min(6, Number(tag[1]) + HEADING_SHIFT)}`;
  if (!BLOCK_TAGS.has(tag) && !/^h[1-6]$/.test(tag)) tag = 'span';
  if (tag === 'a') {
    const href = safeUrl(t.attrGet('href'));
    const a = h('a');
    if (href) {
      a.setAttribute('href', href);
      a.setAttribute('rel', 'noopener noreferrer nofollow');
      a.setAttribute('target', '_blank');
    }
    return a;
  }
  const el = h(tag);
  if (tag === 'ol') {
    const start = Number(t.attrGet('start'));
    if (Number.isInteger(start) && start > 1) el.setAttribute('start', String(start));
  }
  return el;
}

/** @param {Token} t */
function leaf(t) {
  switch (t.type) {
    case 'text': return document.createTextNode(t.content);
    case 'softbreak': return document.createTextNode('\n');
    case 'hardbreak': return h('br');
    case 'code_inline': return h('code', { text: t.content });
    case 'code_block':
    case 'fence': return h('pre', {}, h('code', { text: t.content }));
    case 'hr': return h('hr');
    case 'image': {
      // Images become links: the pages load nothing a report author points at.
      const href = safeUrl(t.attrGet('src'));
      const label = String(t.content || t.attrGet('src') || 'image');
      return href ? h('a', { text: label, attrs: { href, rel: 'noopener noreferrer nofollow', target: '_blank' } }) : document.createTextNode(label);
    }
    default: return document.createTextNode(t.content ?? '');
  }
}
