/**
 * A plain-text rendering of a view tree, for the simulator CLI, logs and test assertions.
 *
 * ```
 * view#home
 *   text "Count: 1"
 *   button [bindtap=increment type=primary] "+1"
 * ```
 */
import type { ViewChild, ViewNode } from './tree.ts';

function quote(text: string): string {
  return JSON.stringify(text.length > 200 ? text.slice(0, 200) + '…' : text);
}

function label(node: ViewNode): string {
  const id = typeof node.props.id === 'string' ? `#${node.props.id}` : '';
  const attrs = Object.entries(node.props)
    .filter(([k]) => k !== 'id' && k !== 'key' && k !== 'style')
    .map(([k, v]) => `${k}=${typeof v === 'string' ? (/^[\w./:-]+$/.test(v) ? v : quote(v)) : JSON.stringify(v)}`);
  return `${node.type}${id}${attrs.length ? ` [${attrs.join(' ')}]` : ''}`;
}

/** True when every child is text, so the node prints on one line. */
function inlineText(children: readonly ViewChild[]): string | undefined {
  if (children.length === 0 || children.some((c) => typeof c !== 'string')) return undefined;
  return (children as string[]).join('');
}

/**
 * Renders `tree` as indented text, one node per line; text-only children print inline.
 *
 * @example
 * ```ts
 * console.log(renderTreeText(app.tree()!));
 * ```
 */
export function renderTreeText(tree: ViewNode, indent = '  '): string {
  const lines: string[] = [];
  const stack: { child: ViewChild; depth: number }[] = [{ child: tree, depth: 0 }];
  while (stack.length > 0) {
    const { child, depth } = stack.pop()!;
    const pad = indent.repeat(depth);
    if (typeof child === 'string') {
      lines.push(`${pad}${quote(child)}`);
      continue;
    }
    const text = inlineText(child.children);
    if (text !== undefined) {
      lines.push(`${pad}${label(child)} ${quote(text)}`);
      continue;
    }
    lines.push(`${pad}${label(child)}`);
    for (let i = child.children.length - 1; i >= 0; i--) stack.push({ child: child.children[i]!, depth: depth + 1 });
  }
  return lines.join('\n');
}

/** All text in a tree, in document order, joined with single spaces. */
export function treeText(tree: ViewNode): string {
  const parts: string[] = [];
  const stack: ViewChild[] = [tree];
  while (stack.length > 0) {
    const child = stack.pop()!;
    if (typeof child === 'string') parts.push(child);
    else for (let i = child.children.length - 1; i >= 0; i--) stack.push(child.children[i]!);
  }
  return parts.join(' ').replace(/\s+/g, ' ').trim();
}
