// Markdown preview without HTML strings: markdown-it (served from node_modules, raw HTML off)
// parses the text into tokens, and this module builds DOM nodes from an allowlist of tags,
// with text always as text nodes and links only to http(s)/mailto. The server renders the
// same Markdown for exports with markdown-it + sanitize-html; the preview aims to look alike.

import markdownit from './markdown-it.mjs';
import { h, safeUrl } from './dom.js';

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
 * @param {any[]} tokens
 * @param {Node} root
 */
function renderTokens(tokens, root) {
  /** @type {Node[]} */
  const stack = [root];
  const top = () => stack[stack.length - 1];
  for (const token of tokens) {
    if (token.type === 'inline') {
      renderTokens(token.children ?? [], top());
      continue;
    }
    if (token.nesting === 1) {
      // Tight list paragraphs are hidden: their children go straight into the <li>.
      if (token.hidden) { stack.push(top()); continue; }
      const el = open(token);
      top().appendChild(el);
      stack.push(el);
      continue;
    }
    if (token.nesting === -1) {
      if (stack.length > 1) stack.pop();
      continue;
    }
    top().appendChild(leaf(token));
  }
}

/** @param {any} token */
function open(token) {
  let tag = String(token.tag);
  if (/^h[1-6]$/.test(tag)) tag = `h${Math.min(6, Number(tag[1]) + HEADING_SHIFT)}`;
  if (!BLOCK_TAGS.has(tag) && !/^h[1-6]$/.test(tag)) tag = 'span';
  if (tag === 'a') {
    const href = safeUrl(token.attrGet('href'));
    const link = h('a');
    if (href) {
      link.setAttribute('href', href);
      link.setAttribute('rel', 'noopener noreferrer nofollow');
      link.setAttribute('target', '_blank');
    }
    return link;
  }
  const el = h(tag);
  if (tag === 'ol') {
    const start = Number(token.attrGet('start'));
    if (Number.isInteger(start) && start > 1) el.setAttribute('start', String(start));
  }
  return el;
}

/** @param {any} token */
function leaf(token) {
  switch (token.type) {
    case 'text': return document.createTextNode(token.content);
    case 'softbreak': return document.createTextNode('\n');
    case 'hardbreak': return h('br');
    case 'code_inline': return h('code', { text: token.content });
    case 'code_block':
    case 'fence': return h('pre', {}, h('code', { text: token.content }));
    case 'hr': return h('hr');
    case 'image': {
      // Images become links: the pages load nothing a report author points at.
      const href = safeUrl(token.attrGet('src'));
      const label = token.content || token.attrGet('src') || 'image';
      return href ? h('a', { text: label, attrs: { href, rel: 'noopener noreferrer nofollow', target: '_blank' } }) : document.createTextNode(label);
    }
    default: return document.createTextNode(token.content ?? '');
  }
}
