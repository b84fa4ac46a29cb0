// DOM building for the pages. Every piece of text from the API goes in as a text node
// (textContent); nothing here ever assigns innerHTML, so alert labels and annotations, titles
// and human Markdown cannot become markup. Attribute names are checked too: no event handler
// attributes and no inline styles (the CSP refuses them anyway).

const FORBIDDEN_ATTR = /^(on|style$|srcdoc$)/i;
const URL_ATTRS = new Set(['href', 'src', 'action', 'formaction', 'xlink:href']);

/**
 * A URL safe to put in href: http(s) and mailto, or a path on this site. Everything else
 * (javascript:, data:, vbscript:, protocol-relative //host) gives null.
 * @param {unknown} value
 * @returns {string | null}
 */
export function safeUrl(value) {
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (text === '') return null;
  if (text.startsWith('/') && !text.startsWith('//') && !text.startsWith('/\\')) return text;
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' || url.protocol === 'mailto:' ? url.href : null;
  } catch {
    return null;
  }
}

/**
 * What `h` takes besides the tag: `class` (a name, or a list with falsy entries skipped),
 * `text` (textContent), `attrs` (attribute map; false/null skip, true = ""), `on` (event
 * listeners), `dataset`, `props` (DOM properties such as value/checked).
 * @typedef {{
 *   class?: string | null | Array<string | null | undefined | false>,
 *   text?: string | number | null,
 *   attrs?: Record<string, unknown>,
 *   dataset?: Record<string, string | number | null | undefined>,
 *   props?: Record<string, unknown>,
 *   on?: Record<string, (ev: Event) => unknown>,
 * }} Props
 */

/**
 * Children of an element: nodes, strings and numbers (as text), nested lists; null,
 * undefined and false are skipped.
 * @typedef {Node | string | number | null | undefined | false | ChildList} Child
 * @typedef {Child[]} ChildList
 */

/**
 * Creates an element, typed by its tag (`h('input')` is an HTMLInputElement).
 * @template {string} K
 * @param {K} tag
 * @param {Props} [props]
 * @param {...Child} children
 * @returns {K extends keyof HTMLElementTagNameMap ? HTMLElementTagNameMap[K] : HTMLElement}
 */
export function h(tag, props = {}, ...children) {
  // createElement cannot tell the element type from a generic tag; the DOM makes it so.
  const el = /** @type {K extends keyof HTMLElementTagNameMap ? HTMLElementTagNameMap[K] : HTMLElement} */ (document.createElement(tag));
  if (props.class) el.className = Array.isArray(props.class) ? props.class.filter(Boolean).join(' ') : props.class;
  if (props.text !== undefined && props.text !== null) el.textContent = String(props.text);
  for (const [name, value] of Object.entries(props.attrs ?? {})) setAttr(el, name, value);
  for (const [name, value] of Object.entries(props.dataset ?? {})) if (value !== undefined && value !== null) el.dataset[name] = String(value);
  // DOM properties by name (value, checked, href on a blob link): the element's own setters.
  for (const [name, value] of Object.entries(props.props ?? {})) Reflect.set(el, name, value);
  for (const [type, fn] of Object.entries(props.on ?? {})) el.addEventListener(type, fn);
  append(el, ...children);
  return el;
}

/**
 * @param {Element} el
 * @param {string} name
 * @param {unknown} value
 */
export function setAttr(el, name, value) {
  if (FORBIDDEN_ATTR.test(name)) throw new Error(`refusing attribute ${name}`);
  if (value === false || value === null || value === undefined) {
    el.removeAttribute(name);
    return;
  }
  if (URL_ATTRS.has(name.toLowerCase())) {
    const url = safeUrl(value);
    if (url === null) return;
    el.setAttribute(name, url);
    return;
  }
  el.setAttribute(name, value === true ? '' : String(value));
}

/**
 * Appends nodes and strings (as text); arrays are flattened, null/undefined/false skipped.
 * @template {Node} P
 * @param {P} parent
 * @param {...Child} children
 * @returns {P}
 */
export function append(parent, ...children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, ...child);
    else parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Removes every child. @template {Node} P @param {P} el @returns {P} */
export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

/** Replaces the children of `el`. @template {Node} P @param {P} el @param {...Child} children @returns {P} */
export function replace(el, ...children) {
  clear(el);
  return append(el, ...children);
}

/**
 * A link when the URL is safe, else the text alone.
 * @param {unknown} url
 * @param {string} text
 * @param {Props} [props]
 */
export function link(url, text, props = {}) {
  const href = safeUrl(url);
  if (!href) return h('span', { ...props, text });
  const external = !href.startsWith('/');
  return h('a', { ...props, text, attrs: { ...(props.attrs ?? {}), href, ...(external ? { rel: 'noopener noreferrer nofollow', target: '_blank' } : {}) } });
}

let idCounter = 0;
/** A document-unique id for label/aria wiring. @param {string} prefix */
export const uid = (prefix = 'id') => `${prefix}-${++idCounter}`;

/**
 * A labelled form control: returns the wrapper and the control.
 * @param {string} label
 * @param {HTMLElement} control
 * @param {{ hint?: string, class?: string }} [opts]
 */
export function field(label, control, opts = {}) {
  if (!control.id) control.id = uid('f');
  const hint = opts.hint ? h('p', { class: 'hint', text: opts.hint, attrs: { id: `${control.id}-hint` } }) : null;
  if (hint) control.setAttribute('aria-describedby', `${control.id}-hint`);
  return h('div', { class: ['field', opts.class] }, h('label', { text: label, attrs: { for: control.id } }), control, hint);
}

/**
 * The header of a table's column of row buttons: named for screen readers (an empty header cell
 * leaves the column unnamed), not shown, as the buttons say what they do.
 */
export const actionsHeader = () => h('th', { attrs: { scope: 'col' } }, h('span', { class: 'visually-hidden', text: 'Actions' }));
