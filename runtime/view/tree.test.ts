import { describe, expect, it } from 'vitest';
import { checkImageSource, datasetOf, findHandlerNode, isScriptUrl, validateViewTree, type ViewContext, type ViewNode } from './tree.ts';
import { renderTreeText, treeText } from './text.ts';

const ctx: ViewContext = { assets: new Set(['assets/logo.png']), domains: ['img.example.com'], maxNodes: 100, maxDepth: 10 };
const node = (type: string, props: Record<string, unknown> = {}, ...children: unknown[]) => ({ type, props, children });

function problem(tree: unknown) {
  const out = validateViewTree(tree, ctx);
  if (!('kind' in out)) throw new Error('expected a problem');
  return out;
}

describe('validateViewTree', () => {
  it('copies a good tree and collects its handlers', () => {
    const input = node('view', { id: 'root', 'data-x': 1 }, node('button', { bindtap: 'go', type: 'primary' }, 'Go'), 'text', 42);
    const out = validateViewTree(input, ctx);
    if ('kind' in out) throw new Error(out.kind);
    expect(out.tree).toEqual(node('view', { id: 'root', 'data-x': 1 }, node('button', { bindtap: 'go', type: 'primary' }, 'Go'), 'text', '42'));
    expect(out.tree).not.toBe(input);
    expect([...out.handlers]).toEqual([['go', new Set(['tap'])]]);
    expect(out.nodes).toBe(5);
  });

  it.each([
    ['unknown component', node('iframe', { src: 'x' }), 'unknown-component'],
    ['on* prop', node('button', { onTap: 'go' }), 'script-prop'],
    ['onclick string', node('view', { onclick: 'alert(1)' }), 'script-prop'],
    ['innerHTML', node('view', { innerHTML: '<b>x</b>' }), 'script-prop'],
    ['dangerouslySetInnerHTML', node('text', { dangerouslySetInnerHTML: { __html: 'x' } }), 'script-prop'],
    ['javascript: url in any prop', node('view', { id: 'javascript:alert(1)' }), 'script-url'],
    ['obfuscated javascript: url', node('image', { src: ' java\tscript:alert(1)' }), 'script-url'],
    ['data: image', node('image', { src: 'data:image/png;base64,AAAA' }), 'script-url'],
    ['style with url()', node('view', { style: 'background: url(https://evil.example/x.png)' }), 'style'],
    ['style with expression()', node('view', { style: 'width: expression(alert(1))' }), 'style'],
    ['style with escapes', node('view', { style: 'background: u\\72l(x)' }), 'style'],
    ['image from an unlisted domain', node('image', { src: 'https://evil.example/x.png' }), 'image-src'],
    ['image over http', node('image', { src: 'http://img.example.com/x.png' }), 'image-src'],
    ['missing asset', node('image', { src: 'assets/nope.png' }), 'image-src'],
    ['asset path escape', node('image', { src: 'assets/../app.json' }), 'image-src'],
    ['unknown prop', node('view', { srcset: 'x' }), 'unknown-prop'],
    ['event the component lacks', node('divider', { bindtap: 'go' }), 'unknown-prop'],
    ['handler that is not a name', node('button', { bindtap: 'a()' }), 'bad-handler'],
    ['reserved handler', node('button', { bindtap: 'setData' }), 'bad-handler'],
    ['function-valued handler', node('button', { bindtap: { fn: 1 } }), 'bad-handler'],
    ['children on a void component', node('image', { src: 'assets/logo.png' }, 'x'), 'children'],
    ['__proto__ prop', JSON.parse('{"type":"view","props":{"__proto__":{"x":1}},"children":[]}'), 'unknown-prop'],
    ['bad enum', node('button', { type: 'danger' }), 'bad-value'],
    ['text root', 'hello', 'not-a-node'],
    ['array node', [node('view')], 'not-a-node'],
  ])('refuses %s', (_name, tree, reason) => {
    expect(problem(tree)).toMatchObject({ kind: 'invalid', reason });
  });

  it('caps node count and depth without recursing', () => {
    const wide = node('view', {}, ...Array.from({ length: 200 }, () => 'x'));
    expect(problem(wide)).toEqual({ kind: 'limit', limit: 'viewNodes', max: 100 });
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100_000; i++) deep = node('view', {}, deep);
    expect(validateViewTree(deep, { ...ctx, maxDepth: 1e9, maxNodes: 1e9 })).not.toHaveProperty('kind');
    expect(problem(deep)).toEqual({ kind: 'limit', limit: 'viewDepth', max: 10 });
  });

  it('allows package assets and https images on manifest domains', () => {
    expect(checkImageSource('/assets/logo.png', ctx)).toBe('assets/logo.png');
    expect(checkImageSource('https://img.example.com/a.png?x=1', ctx)).toBe('https://img.example.com/a.png?x=1');
    expect(checkImageSource('https://img.example.com:8443/a.png', ctx)).toBeUndefined();
    expect(checkImageSource('https://user@img.example.com/a.png', ctx)).toBeUndefined();
    expect(isScriptUrl('JaVaScRiPt:alert(1)')).toBe(true);
    expect(isScriptUrl('\u0000javascript:x')).toBe(true);
    expect(isScriptUrl('pages/a')).toBe(false);
  });

  it('finds handler nodes, datasets and renders text', () => {
    const out = validateViewTree(node('view', {}, node('text', {}, 'Hi'), node('button', { bindtap: 'go', 'data-item-id': 'a7' }, 'Go')), ctx) as { tree: ViewNode };
    const found = findHandlerNode(out.tree, 'go', 'tap');
    expect(found?.path).toEqual([1]);
    expect(datasetOf(found!.node)).toEqual({ itemId: 'a7' });
    expect(renderTreeText(out.tree)).toBe('view\n  text "Hi"\n  button [bindtap=go data-item-id=a7] "Go"');
    expect(treeText(out.tree)).toBe('Hi Go');
  });
});
