/**
 * A small well-formedness check for the XML/SVG Debrief emits (no DTDs, no CDATA, no
 * processing instructions besides the XML declaration): tags nest and close, attribute values
 * are quoted and contain no raw `<`, text has no raw `<`, every `&` starts a known entity, and
 * no control character outside tab/newline appears. Returns the problems found (empty: fine).
 */
export function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(xml)) problems.push('control character');
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  const token = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>|<!--[\s\S]*?-->|([^<]+)|(<)/g;
  let m: RegExpExecArray | null;
  while ((m = token.exec(body))) {
    const [, close, name, attrs, selfClose, text, stray] = m;
    if (stray) {
      problems.push(`raw "<" or malformed tag at ${m.index}: ${body.slice(m.index, m.index + 40)}`);
      continue;
    }
    if (text !== undefined) {
      const bad = text.match(/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/);
      if (bad) problems.push(`bare "&" in text near ${JSON.stringify(text.slice(0, 40))}`);
      continue;
    }
    if (!name) continue;
    if (attrs && /&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(attrs)) problems.push(`bare "&" in attributes of <${name}>`);
    if (close) {
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${open ?? 'nothing'}>`);
    } else if (!selfClose) {
      stack.push(name);
    }
  }
  if (stack.length) problems.push(`unclosed: ${stack.join(' > ')}`);
  return problems;
}

/** Text content of an XML/HTML string with entities decoded (for "what a reader sees" checks). */
export function textContent(markup: string): string {
  return markup.replace(/<[^>]*>/g, ' ')
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

/**
 * Active content in markup: elements that run or load things (script, img, iframe, object,
 * embed, foreignObject, link, form...), event-handler or `http-equiv` attributes, and links
 * to anything but http(s), mailto, fragments or paths. Escaped text that mentions them does not count.
 */
export function activeContent(markup: string): string[] {
  const found: string[] = [];
  for (const m of markup.matchAll(/<([A-Za-z][\w:-]*)((?:\s+[^\s=>]+(?:=(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*\/?>/g)) {
    const [, name = '', attrs = ''] = m;
    const attributes = [...attrs.matchAll(/\s([^\s=>]+)(?:=(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)]
      .map((a) => [a[1]!.toLowerCase(), (a[2] ?? a[3] ?? a[4] ?? '').toLowerCase()] as const);
    if (/^(script|img|iframe|object|embed|foreignobject|base|form|input|audio|video|source|image|use)$/i.test(name)) found.push(`<${name}>`);
    // Links to alternates (Atom, the feed) load nothing; stylesheets, preloads and icons do.
    if (/^link$/i.test(name) && !attributes.some(([k, v]) => k === 'rel' && /^(alternate|self)$/.test(v))) found.push(`<${name}>`);
    for (const [attr, value] of attributes) {
      if (attr.startsWith('on') || attr === 'http-equiv') found.push(`${name} ${attr}=`);
      if ((attr === 'href' || attr === 'src' || attr === 'xlink:href' || attr === 'action') && !/^(https?:|mailto:|#|\/)/.test(value)) found.push(`${name} ${attr}="${value}"`);
    }
  }
  return found;
}
