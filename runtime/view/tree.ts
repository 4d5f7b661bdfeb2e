/**
 * View trees: the shape the runtime sends to the host, and the validator every tree from the
 * guest goes through. The validator never trusts its input: it walks iteratively (no recursion
 * on guest depth), copies only allowed props into fresh objects, and refuses unknown components,
 * unknown or script-like props, `javascript:` URLs, style strings that load or run anything,
 * images from outside the package and the manifest's domains, and trees over the node, depth
 * or size caps.
 */
import { componentSpec, COMMON_PROPS, EVENT_TYPES, type ComponentName, type EventType, type PropKind } from './components.ts';

/** A prop value the host may receive. */
export type ViewPropValue = string | number | boolean | null | readonly (string | number)[];

/** An element of a rendered view. Text is a plain string child. */
export interface ViewNode {
  type: ComponentName;
  props: Record<string, ViewPropValue>;
  children: ViewChild[];
}

/** A child: an element or text. */
export type ViewChild = ViewNode | string;

/** What the validator needs to know about the package and the caps. */
export interface ViewContext {
  /** Asset paths in the package (`assets/…`). */
  assets: ReadonlySet<string> | ReadonlyMap<string, unknown>;
  /** Host names allowed for `https:` images (the manifest's `domains`). */
  domains: readonly string[];
  maxNodes: number;
  maxDepth: number;
}

/** Why a tree was refused. */
export type ViewProblem =
  | { kind: 'limit'; limit: 'viewNodes' | 'viewDepth'; max: number }
  | {
      kind: 'invalid';
      reason:
        | 'not-a-node'
        | 'unknown-component'
        | 'unknown-prop'
        | 'script-prop'
        | 'script-url'
        | 'style'
        | 'image-src'
        | 'bad-value'
        | 'bad-handler'
        | 'children';
      path: string;
      message: string;
    };

/** A validated tree with the handlers it binds (name → event types). */
export interface ValidatedView {
  tree: ViewNode;
  handlers: Map<string, Set<EventType>>;
  nodes: number;
}

const HANDLER_NAME = /^[A-Za-z_$][A-Za-z0-9_$]{0,63}$/;
/** Page members an event may never call. */
export const RESERVED_HANDLERS: ReadonlySet<string> = new Set([
  'data',
  'setData',
  'render',
  'route',
  'options',
  'onLoad',
  'onShow',
  'onHide',
  'onUnload',
  'onReady',
  'constructor',
  '__proto__',
  'hasOwnProperty',
  'toString',
  'valueOf',
]);
const SCRIPT_PROPS = new Set(['innerhtml', 'outerhtml', 'dangerouslysetinnerhtml', 'srcdoc', 'html', 'href', 'action', 'formaction']);
// Control characters and whitespace are stripped before looking for a scheme, as browsers do.
// eslint-disable-next-line no-control-regex
const STRIP = /[\u0000-\u0020\u007f-\u009f\u200b-\u200f\u2028\u2029\ufeff]/g;
const SCRIPT_SCHEME = /^(javascript|vbscript|livescript|data|blob|file|filesystem):/i;
const BAD_STYLE = /url\s*\(|expression\s*\(|javascript:|vbscript:|@import|behavior\s*:|-moz-binding|\\|<|image-set\s*\(|image\s*\(|element\s*\(/i;
const DATASET_KEY = /^data-[a-z0-9]+(-[a-z0-9]+)*$/;
const MAX_TEXT = 10_000;

function isPlainRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** True when `value`, read as a URL, would run script or smuggle content (`javascript:`, `data:`…). */
export function isScriptUrl(value: string): boolean {
  return SCRIPT_SCHEME.test(value.replace(STRIP, ''));
}

/** Normalizes an image source to a package asset path or an allowed https URL; undefined if refused. */
export function checkImageSource(src: string, ctx: Pick<ViewContext, 'assets' | 'domains'>): string | undefined {
  if (isScriptUrl(src)) return undefined;
  const asset = src.startsWith('/') ? src.slice(1) : src;
  if (asset.startsWith('assets/')) return ctx.assets.has(asset) && !asset.split('/').includes('..') ? asset : undefined;
  if (!src.startsWith('https://')) return undefined;
  let url: URL;
  try {
    url = new URL(src);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' || url.username || url.password || url.port) return undefined;
  return ctx.domains.includes(url.hostname) ? url.href : undefined;
}

function checkValue(kind: PropKind, value: unknown, ctx: ViewContext): { ok: true; value: ViewPropValue } | { ok: false; reason: 'bad-value' | 'style' | 'image-src' | 'script-url' } {
  if (typeof value === 'string' && isScriptUrl(value) && kind.kind !== 'style') return { ok: false, reason: 'script-url' };
  switch (kind.kind) {
    case 'string':
      return typeof value === 'string' && value.length <= kind.max ? { ok: true, value } : { ok: false, reason: 'bad-value' };
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) && (kind.min === undefined || value >= kind.min) && (kind.max === undefined || value <= kind.max)
        ? { ok: true, value }
        : { ok: false, reason: 'bad-value' };
    case 'boolean':
      return typeof value === 'boolean' ? { ok: true, value } : { ok: false, reason: 'bad-value' };
    case 'enum':
      return typeof value === 'string' && kind.values.includes(value) ? { ok: true, value } : { ok: false, reason: 'bad-value' };
    case 'scalar':
      if (value === null || typeof value === 'boolean') return { ok: true, value };
      if (typeof value === 'number') return Number.isFinite(value) ? { ok: true, value } : { ok: false, reason: 'bad-value' };
      return typeof value === 'string' && value.length <= 1000 ? { ok: true, value } : { ok: false, reason: 'bad-value' };
    case 'style':
      if (typeof value !== 'string' || value.length > 2000) return { ok: false, reason: 'bad-value' };
      return BAD_STYLE.test(value) ? { ok: false, reason: 'style' } : { ok: true, value };
    case 'image': {
      if (typeof value !== 'string' || value.length > 2048) return { ok: false, reason: 'image-src' };
      const src = checkImageSource(value, ctx);
      return src === undefined ? { ok: false, reason: 'image-src' } : { ok: true, value: src };
    }
    case 'list': {
      if (!Array.isArray(value) || value.length > kind.max) return { ok: false, reason: 'bad-value' };
      const out: (string | number)[] = [];
      for (const item of value) {
        if (typeof item === 'string' && item.length <= 200 && !isScriptUrl(item)) out.push(item);
        else if (typeof item === 'number' && Number.isFinite(item)) out.push(item);
        else return { ok: false, reason: 'bad-value' };
      }
      return { ok: true, value: out };
    }
  }
}

const REASON_TEXT = {
  'bad-value': 'has a value of the wrong type or size',
  style: 'has a style that loads or runs something (url(), expression(), @import, escapes)',
  'image-src': 'must be a package asset or an https URL on one of the manifest domains',
  'script-url': 'is a script or data URL',
} as const;

/**
 * Validates a tree the guest rendered. Returns the copied, safe tree and its handlers, or the
 * first problem found.
 *
 * @example
 * ```ts
 * const out = validateViewTree(JSON.parse(json), { assets, domains: manifest.domains, maxNodes: 10_000, maxDepth: 64 });
 * if ('kind' in out) stop(out); else host.render(out.tree);
 * ```
 */
export function validateViewTree(input: unknown, ctx: ViewContext): ValidatedView | ViewProblem {
  const handlers = new Map<string, Set<EventType>>();
  let nodes = 0;
  const rootHolder: ViewChild[] = [];
  // Explicit stack: guest depth never becomes host recursion.
  const stack: { raw: unknown; out: ViewChild[]; path: string; depth: number }[] = [{ raw: input, out: rootHolder, path: '', depth: 1 }];
  while (stack.length > 0) {
    const { raw, out, path, depth } = stack.pop()!;
    if (++nodes > ctx.maxNodes) return { kind: 'limit', limit: 'viewNodes', max: ctx.maxNodes };
    if (depth > ctx.maxDepth) return { kind: 'limit', limit: 'viewDepth', max: ctx.maxDepth };
    if (typeof raw === 'string' || typeof raw === 'number') {
      const text = String(raw);
      if (path === '') return { kind: 'invalid', reason: 'not-a-node', path: '/', message: 'The root of a view must be a component, not text.' };
      if (text.length > MAX_TEXT) return { kind: 'invalid', reason: 'bad-value', path, message: `Text longer than ${MAX_TEXT} characters.` };
      out.push(text);
      continue;
    }
    if (!isPlainRecord(raw)) {
      return { kind: 'invalid', reason: 'not-a-node', path: path || '/', message: 'A view node must be an object made with h(type, props, ...children).' };
    }
    const type = raw.type;
    const spec = typeof type === 'string' ? componentSpec(type) : undefined;
    if (typeof type !== 'string' || spec === undefined) {
      const shown = typeof type === 'string' ? `"${type.slice(0, 40)}"` : `a ${typeof type}`;
      return { kind: 'invalid', reason: 'unknown-component', path: path || '/', message: `Unknown component ${shown}.` };
    }
    const props: Record<string, ViewPropValue> = {};
    const rawProps = raw.props ?? {};
    if (!isPlainRecord(rawProps)) return { kind: 'invalid', reason: 'bad-value', path: `${path}/props`, message: 'props must be an object.' };
    for (const name of Object.keys(rawProps)) {
      const value = rawProps[name];
      if (value === undefined) continue;
      const where = `${path}/props/${name.slice(0, 64)}`;
      const lower = name.toLowerCase();
      if (lower.startsWith('on') || SCRIPT_PROPS.has(lower)) {
        return {
          kind: 'invalid',
          reason: 'script-prop',
          path: where,
          message: `Prop "${name.slice(0, 64)}" is not allowed: bind events with bind<event>="methodName" and render text as children.`,
        };
      }
      if (name.startsWith('bind')) {
        const event = name.slice(4) as EventType;
        if (!(EVENT_TYPES as readonly string[]).includes(event) || !spec.events.includes(event)) {
          return { kind: 'invalid', reason: 'unknown-prop', path: where, message: `<${type}> has no "${event}" event.` };
        }
        if (typeof value !== 'string' || !HANDLER_NAME.test(value) || RESERVED_HANDLERS.has(value)) {
          return { kind: 'invalid', reason: 'bad-handler', path: where, message: `${name} must name a page method, e.g. ${name}="onSubmit".` };
        }
        props[name] = value;
        let set = handlers.get(value);
        if (!set) handlers.set(value, (set = new Set()));
        set.add(event);
        continue;
      }
      if (name.startsWith('data-')) {
        if (!DATASET_KEY.test(name)) return { kind: 'invalid', reason: 'unknown-prop', path: where, message: `Dataset prop "${name.slice(0, 64)}" must be data-<lower-case-words>.` };
        const checked = checkValue({ kind: 'scalar' }, value, ctx);
        if (!checked.ok) return { kind: 'invalid', reason: checked.reason, path: where, message: `${name} ${REASON_TEXT[checked.reason]}.` };
        props[name] = checked.value;
        continue;
      }
      const kind = Object.prototype.hasOwnProperty.call(spec.props, name)
        ? spec.props[name]
        : Object.prototype.hasOwnProperty.call(COMMON_PROPS, name)
          ? COMMON_PROPS[name]
          : undefined;
      if (kind === undefined) return { kind: 'invalid', reason: 'unknown-prop', path: where, message: `<${type}> has no prop "${name.slice(0, 64)}".` };
      const checked = checkValue(kind, value, ctx);
      if (!checked.ok) return { kind: 'invalid', reason: checked.reason, path: where, message: `${name} ${REASON_TEXT[checked.reason]}.` };
      props[name] = checked.value;
    }
    const node: ViewNode = { type: type as ComponentName, props, children: [] };
    out.push(node);
    const rawChildren = raw.children ?? [];
    if (!Array.isArray(rawChildren)) return { kind: 'invalid', reason: 'children', path: `${path}/children`, message: 'children must be an array.' };
    if (rawChildren.length > 0 && !spec.children) {
      return { kind: 'invalid', reason: 'children', path: `${path}/children`, message: `<${type}> cannot have children.` };
    }
    if (nodes + rawChildren.length > ctx.maxNodes) return { kind: 'limit', limit: 'viewNodes', max: ctx.maxNodes };
    for (let i = rawChildren.length - 1; i >= 0; i--) {
      stack.push({ raw: rawChildren[i], out: node.children, path: `${path}/children/${i}`, depth: depth + 1 });
    }
  }
  // Children were pushed in reverse, so each node's children arrive in order.
  return { tree: rootHolder[0] as ViewNode, handlers, nodes };
}

/**
 * Finds the first node (depth-first, document order) that binds `handler`, optionally for one
 * event type; returns it with its path.
 */
export function findHandlerNode(tree: ViewNode, handler: string, event?: EventType): { node: ViewNode; path: number[] } | undefined {
  const stack: { node: ViewNode; path: number[] }[] = [{ node: tree, path: [] }];
  while (stack.length > 0) {
    const { node, path } = stack.pop()!;
    for (const [name, value] of Object.entries(node.props)) {
      if (name.startsWith('bind') && value === handler && (event === undefined || name === `bind${event}`)) return { node, path };
    }
    for (let i = node.children.length - 1; i >= 0; i--) {
      const child = node.children[i];
      if (typeof child !== 'string') stack.push({ node: child!, path: [...path, i] });
    }
  }
  return undefined;
}

/** The `data-*` props of a node as a dataset (`data-item-id` → `itemId`). */
export function datasetOf(node: ViewNode): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {};
  for (const [name, value] of Object.entries(node.props)) {
    if (!name.startsWith('data-')) continue;
    const key = name.slice(5).replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    if (value === null || typeof value !== 'object') out[key] = value;
  }
  return out;
}
