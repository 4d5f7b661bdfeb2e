/**
 * Renders the Markdown of the catalog's docs and the signing guide as Vue nodes, never as HTML
 * strings: headings, paragraphs, lists, block quotes, fenced code, tables, inline code, bold,
 * emphasis and links (http, https, same-site paths and anchors only).
 */
import { defineComponent, h, type VNodeChild } from 'vue';

const SAFE_LINK = /^(https?:\/\/|\/(?!\/)|#)/i;

/** Inline Markdown → nodes. */
export function inline(text: string): VNodeChild[] {
  const out: VNodeChild[] = [];
  const re = /`([^`]+)`|\*\*([^*]+)\*\*|\*([^*\s][^*]*)\*|\[([^\]]+)\]\(([^)\s]+)\)/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    if (m[1] !== undefined) out.push(h('code', m[1]));
    else if (m[2] !== undefined) out.push(h('strong', inline(m[2])));
    else if (m[3] !== undefined) out.push(h('em', inline(m[3])));
    else if (m[4] !== undefined) {
      const href = m[5]!;
      out.push(SAFE_LINK.test(href) ? h('a', { href, ...(href.startsWith('http') ? { target: '_blank', rel: 'noopener noreferrer' } : {}) }, inline(m[4])) : m[4]);
    }
    last = re.lastIndex;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-|-$/g, '');

/** Block Markdown → nodes. */
export function blocks(markdown: string, headingOffset = 0): VNodeChild[] {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const out: VNodeChild[] = [];
  let i = 0;
  const isBlockStart = (l: string) => /^(#{1,6}\s|```|>|\s*[-*]\s|\s*\d+\.\s|\|)/.test(l);
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === '') {
      i++;
      continue;
    }
    const fence = /^```\s*([\w-]*)/.exec(line);
    if (fence) {
      const code: string[] = [];
      i++;
      while (i < lines.length && !/^```/.test(lines[i]!)) code.push(lines[i++]!);
      i++;
      out.push(h('pre', { class: 'code-block', tabindex: 0, 'data-lang': fence[1] || undefined }, h('code', code.join('\n'))));
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      const level = Math.min(6, heading[1]!.length + headingOffset);
      out.push(h(`h${level}`, { id: slug(heading[2]!) }, inline(heading[2]!)));
      i++;
      continue;
    }
    if (line.startsWith('|')) {
      const rows: string[][] = [];
      while (i < lines.length && lines[i]!.startsWith('|')) {
        const cells = lines[i]!.replace(/^\||\|\s*$/g, '').split('|').map((c) => c.trim());
        if (!cells.every((c) => /^:?-{2,}:?$/.test(c))) rows.push(cells);
        i++;
      }
      const [head, ...body] = rows;
      out.push(
        h('div', { class: 'table-wrap' }, [
          h('table', [
            head ? h('thead', h('tr', head.map((c) => h('th', { scope: 'col' }, inline(c))))) : null,
            h('tbody', body.map((r) => h('tr', r.map((c) => h('td', inline(c)))))),
          ]),
        ]),
      );
      continue;
    }
    if (line.startsWith('>')) {
      const quote: string[] = [];
      while (i < lines.length && lines[i]!.startsWith('>')) quote.push(lines[i++]!.replace(/^>\s?/, ''));
      out.push(h('blockquote', blocks(quote.join('\n'), headingOffset)));
      continue;
    }
    const bullet = /^\s*([-*]|\d+\.)\s+/;
    if (bullet.test(line)) {
      const ordered = /^\s*\d+\./.test(line);
      const items: string[] = [];
      while (i < lines.length && (bullet.test(lines[i]!) || (/^\s{2,}\S/.test(lines[i]!) && items.length > 0))) {
        if (bullet.test(lines[i]!)) items.push(lines[i]!.replace(bullet, ''));
        else items[items.length - 1] += ` ${lines[i]!.trim()}`;
        i++;
      }
      out.push(h(ordered ? 'ol' : 'ul', items.map((it) => h('li', inline(it)))));
      continue;
    }
    const para: string[] = [];
    while (i < lines.length && lines[i]!.trim() !== '' && !(para.length > 0 && isBlockStart(lines[i]!))) para.push(lines[i++]!.trim());
    out.push(h('p', inline(para.join(' '))));
  }
  return out;
}

/**
 * The component.
 *
 * @example
 * ```vue
 * <MarkdownView :source="capability.docs" :heading-offset="1" />
 * ```
 */
export default defineComponent({
  name: 'MarkdownView',
  props: {
    source: { type: String, required: true },
    headingOffset: { type: Number, default: 0 },
  },
  setup(props) {
    return () => h('div', { class: 'markdown' }, blocks(props.source, props.headingOffset));
  },
});
