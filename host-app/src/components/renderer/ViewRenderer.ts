/**
 * Renders a mini-app's view tree (validated by the runtime, `runtime/view/tree.ts`) with Vue, for
 * the fixed component set of `runtime/view/components.ts`, and turns DOM events into the
 * runtime's events (`bind<event>` props name the page method).
 *
 * Defence in depth, beside the runtime's validator: components outside the set are refused (a
 * placeholder is shown and `refused` is emitted), only props of the component's spec are read, ids
 * and classes are prefixed (`mp-`) so a mini-app cannot reach or style host elements, and images
 * come only from the package's assets (object URLs) or `https:`.
 */
import { defineComponent, h, type PropType, type VNode, type VNodeChild } from 'vue';
import { componentSpec, type EventType } from '../../../../runtime/view/components.ts';
import { datasetOf, type ViewNode, type ViewPropValue } from '../../../../runtime/view/tree.ts';
import { encodeQr, qrPath, type QrLevel } from './qr.ts';
import Swiper from './LvSwiper.ts';

/** An event for the runtime: which page method, what happened, on what. */
export interface RendererEvent {
  handler: string;
  type: EventType;
  target: { id?: string; dataset: Record<string, string | number | boolean | null> };
  detail?: unknown;
}

/** A node the renderer refused. */
export interface RefusedNode {
  type: string;
  path: string;
}

type Emit = (e: RendererEvent) => void;

interface Ctx {
  emit: Emit;
  refused: (r: RefusedNode) => void;
  assets: ReadonlyMap<string, string>;
  /** Set inside a radio-group or checkbox-group: the group's field name. */
  group?: { name: string; kind: 'radio' | 'checkbox' };
}

const ICONS: Record<string, string> = {
  success: '✔',
  success_no_circle: '✓',
  info: 'ℹ',
  warn: '!',
  waiting: '◷',
  cancel: '✕',
  download: '↓',
  search: '⌕',
  clear: '⊗',
};

const str = (v: ViewPropValue | undefined): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: ViewPropValue | undefined): number | undefined => (typeof v === 'number' ? v : undefined);
const bool = (v: ViewPropValue | undefined): boolean => v === true;

/** `bind<event>` props → event type → handler name. */
function bindings(node: ViewNode): Map<EventType, string> {
  const out = new Map<EventType, string>();
  const spec = componentSpec(node.type);
  for (const [name, value] of Object.entries(node.props)) {
    if (!name.startsWith('bind') || typeof value !== 'string') continue;
    const type = name.slice(4) as EventType;
    if (spec?.events.includes(type)) out.set(type, value);
  }
  return out;
}

function targetOf(node: ViewNode): RendererEvent['target'] {
  const id = str(node.props.id);
  return { ...(id ? { id } : {}), dataset: datasetOf(node) };
}

/** Values of the named fields inside a form, as WeChat reports them on submit. */
export function formValues(form: HTMLFormElement): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const el of Array.from(form.elements)) {
    const field = el as HTMLInputElement;
    const name = field.dataset.lvName;
    if (!name) continue;
    const kind = field.dataset.lvField;
    if (kind === 'switch') out[name] = field.checked;
    else if (kind === 'checkbox') {
      const list = (out[name] as unknown[] | undefined) ?? [];
      if (field.checked) list.push(field.value);
      out[name] = list;
    } else if (kind === 'radio') {
      if (field.checked) out[name] = field.value;
      else if (!(name in out)) out[name] = '';
    } else if (kind === 'slider') out[name] = Number(field.value);
    else if (kind === 'picker') out[name] = (field as unknown as HTMLSelectElement).selectedIndex;
    else out[name] = field.value;
  }
  return out;
}

function classOf(node: ViewNode, extra: string[] = []): string {
  const own = (str(node.props.class) ?? '')
    .split(/\s+/)
    .filter((c) => /^[A-Za-z_-][A-Za-z0-9_-]{0,63}$/.test(c))
    .map((c) => `mp-${c}`);
  return ['lv', `lv-${node.type}`, ...extra, ...own].join(' ');
}

/** Props every component gets: id, class, style, hidden, aria. */
function common(node: ViewNode, extra: string[] = []): Record<string, unknown> {
  const p = node.props;
  const out: Record<string, unknown> = { class: classOf(node, extra) };
  const id = str(p.id);
  if (id) out.id = `mp-${id}`;
  const style = str(p.style);
  if (style) out.style = style;
  if (bool(p.hidden)) out.hidden = true;
  const label = str(p['aria-label']);
  if (label) out['aria-label'] = label;
  const role = str(p['aria-role']);
  if (role && /^[a-z]{1,32}$/.test(role)) out.role = role;
  return out;
}

/** DOM listeners for the bound events of `node`, with `detail` built by `detailOf`. */
function listeners(node: ViewNode, ctx: Ctx, detailOf: (type: EventType, e: Event) => unknown = () => undefined): Record<string, unknown> {
  const bound = bindings(node);
  const out: Record<string, unknown> = {};
  const fire = (type: EventType, e: Event) => {
    const handler = bound.get(type);
    if (!handler) return;
    const detail = detailOf(type, e);
    ctx.emit({ handler, type, target: targetOf(node), ...(detail !== undefined ? { detail } : {}) });
  };
  if (bound.has('tap')) {
    out.onClick = (e: MouseEvent) => fire('tap', e);
  }
  if (bound.has('longpress')) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    out.onContextmenu = (e: Event) => {
      e.preventDefault();
      fire('longpress', e);
    };
    out.onPointerdown = (e: Event) => {
      timer = setTimeout(() => fire('longpress', e), 600);
    };
    out.onPointerup = () => clearTimeout(timer);
    out.onPointerleave = () => clearTimeout(timer);
  }
  for (const [type, dom] of [
    ['input', 'onInput'],
    ['change', 'onChange'],
    ['focus', 'onFocus'],
    ['blur', 'onBlur'],
    ['scroll', 'onScroll'],
    ['load', 'onLoad'],
    ['error', 'onError'],
  ] as const) {
    if (bound.has(type)) out[dom] = (e: Event) => fire(type, e);
  }
  if (bound.has('confirm')) {
    out.onKeydown = (e: KeyboardEvent) => {
      if (e.key === 'Enter' && !e.isComposing) fire('confirm', e);
    };
  }
  return out;
}

/** A tap target that is not a button gets keyboard access: focusable, Enter and Space tap it. */
function keyboardTap(node: ViewNode, ctx: Ctx, attrs: Record<string, unknown>): void {
  const handler = bindings(node).get('tap');
  if (!handler) return;
  attrs.tabindex = 0;
  attrs.role ??= 'button';
  const prev = attrs.onKeydown as ((e: KeyboardEvent) => void) | undefined;
  attrs.onKeydown = (e: KeyboardEvent) => {
    prev?.(e);
    if ((e.key === 'Enter' || e.key === ' ') && e.target === e.currentTarget) {
      e.preventDefault();
      ctx.emit({ handler, type: 'tap', target: targetOf(node) });
    }
  };
}

function children(node: ViewNode, path: string, ctx: Ctx): VNodeChild[] {
  return node.children.map((child, i) => (typeof child === 'string' ? child : renderNode(child, `${path}.${i}`, ctx)));
}

const valueOf = (e: Event) => (e.target as HTMLInputElement).value;

function renderNode(node: ViewNode, path: string, ctx: Ctx): VNode {
  const spec = componentSpec(node.type);
  const key = node.props.key;
  const keyed = (attrs: Record<string, unknown>) => (key === undefined || key === null ? attrs : { ...attrs, key: String(key) });
  if (!spec) {
    ctx.refused({ type: String(node.type), path });
    return h('div', { class: 'lv lv-refused', role: 'note', 'data-refused': String(node.type).slice(0, 40) }, '⚠');
  }
  const p = node.props;
  switch (node.type) {
    case 'view': {
      const attrs = { ...common(node), ...listeners(node, ctx) };
      keyboardTap(node, ctx, attrs);
      return h('div', keyed(attrs), children(node, path, ctx));
    }
    case 'text': {
      const attrs = { ...common(node, [bool(p.selectable) ? 'lv-selectable' : '', p.space ? 'lv-space' : ''].filter(Boolean)), ...listeners(node, ctx) };
      keyboardTap(node, ctx, attrs);
      return h('span', keyed(attrs), children(node, path, ctx));
    }
    case 'button': {
      const formType = str(p.formType);
      const classes = [`lv-button-${str(p.type) ?? 'default'}`];
      if (p.size === 'mini') classes.push('lv-button-mini');
      if (bool(p.plain)) classes.push('lv-button-plain');
      const attrs = {
        ...common(node, classes),
        ...listeners(node, ctx),
        type: formType === 'submit' ? 'submit' : formType === 'reset' ? 'reset' : 'button',
        disabled: bool(p.disabled) || undefined,
        'aria-busy': bool(p.loading) || undefined,
      };
      return h('button', keyed(attrs), [bool(p.loading) ? h('span', { class: 'lv-spinner', 'aria-hidden': 'true' }) : null, ...children(node, path, ctx)]);
    }
    case 'image': {
      const src = str(p.src);
      const url = src ? (src.startsWith('assets/') ? ctx.assets.get(src) : src.startsWith('https://') ? src : undefined) : undefined;
      const attrs = {
        ...common(node, [`lv-image-${str(p.mode) ?? 'scaleToFill'}`]),
        ...listeners(node, ctx, (type, e) =>
          type === 'load' ? { width: (e.target as HTMLImageElement).naturalWidth, height: (e.target as HTMLImageElement).naturalHeight } : type === 'error' ? { errMsg: 'image failed to load' } : undefined,
        ),
        alt: str(p.alt) ?? '',
        referrerpolicy: 'no-referrer',
        ...(url ? { src: url } : {}),
        ...(bool(p.lazyLoad) ? { loading: 'lazy' } : {}),
      };
      keyboardTap(node, ctx, attrs);
      return h('img', keyed(attrs));
    }
    case 'input': {
      const type = str(p.type) ?? 'text';
      const maxlength = num(p.maxlength);
      const value = p.value;
      const attrs = {
        ...common(node),
        ...listeners(node, ctx, (_t, e) => ({ value: valueOf(e) })),
        type: bool(p.password) ? 'password' : type === 'number' ? 'number' : 'text',
        inputmode: type === 'number' ? 'numeric' : type === 'digit' ? 'decimal' : undefined,
        placeholder: str(p.placeholder),
        'aria-label': str(p['aria-label']) ?? str(p.placeholder),
        ...(maxlength !== undefined && maxlength >= 0 ? { maxlength } : {}),
        ...(value !== undefined && value !== null ? { value: String(value) } : {}),
        disabled: bool(p.disabled) || undefined,
        'data-lv-name': str(p.name),
        'data-lv-field': 'input',
        enterkeyhint: str(p.confirmType),
        ...(bool(p.focus) ? { onVnodeMounted: (v: VNode) => (v.el as HTMLElement | null)?.focus() } : {}),
      };
      return h('input', keyed(attrs));
    }
    case 'textarea': {
      const maxlength = num(p.maxlength);
      const attrs = {
        ...common(node, bool(p.autoHeight) ? ['lv-autoheight'] : []),
        ...listeners(node, ctx, (_t, e) => ({ value: valueOf(e) })),
        placeholder: str(p.placeholder),
        'aria-label': str(p['aria-label']) ?? str(p.placeholder),
        ...(maxlength !== undefined && maxlength >= 0 ? { maxlength } : {}),
        ...(str(p.value) !== undefined ? { value: str(p.value) } : {}),
        disabled: bool(p.disabled) || undefined,
        'data-lv-name': str(p.name),
        'data-lv-field': 'input',
        ...(bool(p.focus) ? { onVnodeMounted: (v: VNode) => (v.el as HTMLElement | null)?.focus() } : {}),
      };
      return h('textarea', keyed(attrs));
    }
    case 'list': {
      const attrs = { ...common(node, bool(p.divided) ? ['lv-divided'] : []), ...listeners(node, ctx), role: 'list' };
      return h('div', keyed(attrs), children(node, path, ctx));
    }
    case 'list-item': {
      const attrs: Record<string, unknown> = { ...common(node), ...listeners(node, ctx), role: 'listitem' };
      keyboardTap(node, ctx, attrs);
      if (attrs.role === 'button') attrs.role = 'listitem';
      return h('div', keyed(attrs), [
        h('span', { class: 'lv-list-item-main' }, [str(p.title) ? h('span', { class: 'lv-list-item-title' }, str(p.title)) : null, ...children(node, path, ctx)]),
        str(p.note) ? h('span', { class: 'lv-list-item-note' }, str(p.note)) : null,
        bool(p.arrow) ? h('span', { class: 'lv-list-item-arrow', 'aria-hidden': 'true' }, '›') : null,
      ]);
    }
    case 'picker': {
      const mode = str(p.mode) ?? 'selector';
      const name = str(p.name);
      const inner = children(node, path, ctx);
      if (mode === 'date' || mode === 'time') {
        const attrs = {
          class: 'lv-picker-field',
          type: mode,
          ...(str(p.value) ? { value: str(p.value) } : {}),
          ...(str(p.start) ? { min: str(p.start) } : {}),
          ...(str(p.end) ? { max: str(p.end) } : {}),
          disabled: bool(p.disabled) || undefined,
          'data-lv-name': name,
          'data-lv-field': 'input',
          ...listeners(node, ctx, (_t, e) => ({ value: valueOf(e) })),
        };
        return h('label', keyed(common(node)), [h('span', { class: 'lv-picker-label' }, inner), h('input', attrs)]);
      }
      const range = Array.isArray(p.range) ? (p.range as readonly (string | number)[]) : [];
      const selected = num(p.value) ?? 0;
      const attrs = {
        class: 'lv-picker-field',
        disabled: bool(p.disabled) || undefined,
        'data-lv-name': name,
        'data-lv-field': 'picker',
        ...listeners(node, ctx, (_t, e) => ({ value: (e.target as HTMLSelectElement).selectedIndex })),
      };
      return h('label', keyed(common(node)), [
        h('span', { class: 'lv-picker-label' }, inner),
        h(
          'select',
          attrs,
          range.map((item, i) => h('option', { value: String(i), selected: i === selected }, String(item))),
        ),
      ]);
    }
    case 'switch': {
      const color = str(p.color);
      const isCheckbox = p.type === 'checkbox';
      const attrs = {
        type: 'checkbox',
        role: isCheckbox ? undefined : 'switch',
        checked: bool(p.checked),
        disabled: bool(p.disabled) || undefined,
        'aria-label': str(p['aria-label']),
        'data-lv-name': str(p.name),
        'data-lv-field': 'switch',
        ...(color ? { style: { accentColor: color } } : {}),
        ...listeners(node, ctx, (_t, e) => ({ value: (e.target as HTMLInputElement).checked })),
      };
      const c = common(node, [isCheckbox ? 'lv-switch-checkbox' : 'lv-switch-toggle']);
      delete c['aria-label'];
      return h('label', keyed(c), [h('input', attrs), h('span', { class: 'lv-switch-track', 'aria-hidden': 'true' })]);
    }
    case 'checkbox':
    case 'radio': {
      const group = ctx.group;
      const color = str(p.color);
      const input = {
        type: node.type,
        value: p.value === undefined || p.value === null ? '' : String(p.value),
        checked: bool(p.checked),
        disabled: bool(p.disabled) || undefined,
        ...(group ? { name: group.name, 'data-lv-name': group.name, 'data-lv-field': node.type } : {}),
        ...(color ? { style: { accentColor: color } } : {}),
      };
      const attrs = { ...common(node), ...listeners(node, ctx) };
      return h('label', keyed(attrs), [h('input', input), h('span', { class: 'lv-choice-label' }, children(node, path, ctx))]);
    }
    case 'checkbox-group':
    case 'radio-group': {
      const kind = node.type === 'radio-group' ? 'radio' : 'checkbox';
      const name = str(p.name) ?? `lv-${kind}-${path}`;
      const inner: Ctx = { ...ctx, group: { name, kind } };
      const attrs = {
        ...common(node),
        role: kind === 'radio' ? 'radiogroup' : 'group',
        ...listeners(node, ctx, (_t, e) => {
          const root = e.currentTarget as HTMLElement;
          const boxes = Array.from(root.querySelectorAll<HTMLInputElement>(`input[type="${kind}"]`));
          return kind === 'radio' ? { value: boxes.find((b) => b.checked)?.value ?? '' } : { value: boxes.filter((b) => b.checked).map((b) => b.value) };
        }),
      };
      return h('div', keyed(attrs), node.children.map((child, i) => (typeof child === 'string' ? child : renderNode(child, `${path}.${i}`, inner))));
    }
    case 'slider': {
      const min = num(p.min) ?? 0;
      const max = num(p.max) ?? 100;
      const value = num(p.value) ?? min;
      const color = str(p.activeColor);
      const attrs = {
        type: 'range',
        min,
        max,
        step: num(p.step) || 1,
        value,
        disabled: bool(p.disabled) || undefined,
        'aria-label': str(p['aria-label']),
        'data-lv-name': str(p.name),
        'data-lv-field': 'slider',
        ...(color ? { style: { accentColor: color } } : {}),
        ...(() => {
          const bound = bindings(node);
          const out: Record<string, unknown> = {};
          const fire = (type: EventType, e: Event) => {
            const handler = bound.get(type);
            if (handler) ctx.emit({ handler, type, target: targetOf(node), detail: { value: Number(valueOf(e)) } });
          };
          if (bound.has('change')) out.onChange = (e: Event) => fire('change', e);
          if (bound.has('changing')) out.onInput = (e: Event) => fire('changing', e);
          return out;
        })(),
      };
      const c = common(node);
      delete c['aria-label'];
      return h('div', keyed(c), [h('input', attrs), bool(p.showValue) ? h('output', { class: 'lv-slider-value' }, String(value)) : null]);
    }
    case 'form': {
      const bound = bindings(node);
      const attrs = {
        ...common(node),
        novalidate: true,
        onSubmit: (e: Event) => {
          e.preventDefault();
          const handler = bound.get('submit');
          if (handler) ctx.emit({ handler, type: 'submit', target: targetOf(node), detail: { value: formValues(e.currentTarget as HTMLFormElement) } });
        },
        onReset: () => {
          const handler = bound.get('reset');
          if (handler) ctx.emit({ handler, type: 'reset', target: targetOf(node) });
        },
      };
      return h('form', keyed(attrs), children(node, path, ctx));
    }
    case 'label': {
      const target = str(p.for);
      const attrs = { ...common(node), ...listeners(node, ctx), ...(target ? { for: `mp-${target}` } : {}) };
      return h('label', keyed(attrs), children(node, path, ctx));
    }
    case 'icon': {
      const type = str(p.type) ?? 'info';
      const size = num(p.size) ?? 23;
      const color = str(p.color);
      const attrs = {
        ...common(node, [`lv-icon-${type}`]),
        ...listeners(node, ctx),
        role: 'img',
        'aria-label': str(p['aria-label']) ?? type.replace(/_/g, ' '),
        style: [str(p.style) ?? '', `font-size:${size}px`, color ? `color:${color}` : ''].filter(Boolean).join(';'),
      };
      keyboardTap(node, ctx, attrs);
      return h('span', keyed(attrs), ICONS[type] ?? '•');
    }
    case 'badge': {
      const value = p.value;
      const max = num(p.max) ?? 99;
      const shown = typeof value === 'number' && value > max ? `${max}+` : value === undefined || value === null ? '' : String(value);
      const color = str(p.color);
      const attrs = { ...common(node), ...listeners(node, ctx) };
      return h('span', keyed(attrs), [
        ...children(node, path, ctx),
        bool(p.dot)
          ? h('span', { class: 'lv-badge-dot', ...(color ? { style: { background: color } } : {}), 'aria-label': 'new' })
          : shown
            ? h('span', { class: 'lv-badge-count', ...(color ? { style: { background: color } } : {}) }, shown)
            : null,
      ]);
    }
    case 'divider':
      return bool(p.vertical)
        ? h('span', keyed({ ...common(node, ['lv-divider-vertical']), role: 'separator', 'aria-orientation': 'vertical' }))
        : h('hr', keyed(common(node)));
    case 'scroll-view': {
      const bound = bindings(node);
      const threshold = num(p.lowerThreshold) ?? 50;
      const scrollTop = num(p.scrollTop);
      const scrollLeft = num(p.scrollLeft);
      const into = str(p.scrollIntoView);
      const place = (v: VNode) => {
        const el = v.el as HTMLElement | null;
        if (!el) return;
        if (scrollTop !== undefined) el.scrollTop = scrollTop;
        if (scrollLeft !== undefined) el.scrollLeft = scrollLeft;
        if (into) Array.from(el.querySelectorAll<HTMLElement>('[id]')).find((n) => n.id === `mp-${into}`)?.scrollIntoView?.({ block: 'nearest' });
      };
      let upper = true;
      let lower = false;
      const attrs = {
        ...common(node, [bool(p.scrollX) ? 'lv-scroll-x' : '', bool(p.scrollY) || !bool(p.scrollX) ? 'lv-scroll-y' : ''].filter(Boolean)),
        tabindex: 0,
        onVnodeMounted: place,
        onVnodeUpdated: place,
        onScroll: (e: Event) => {
          const el = e.currentTarget as HTMLElement;
          const detail = { scrollTop: el.scrollTop, scrollLeft: el.scrollLeft, scrollHeight: el.scrollHeight, scrollWidth: el.scrollWidth };
          const target = targetOf(node);
          const h1 = bound.get('scroll');
          if (h1) ctx.emit({ handler: h1, type: 'scroll', target, detail });
          const atTop = el.scrollTop <= threshold && el.scrollLeft <= threshold;
          const atBottom = el.scrollHeight - el.clientHeight - el.scrollTop <= threshold || el.scrollWidth - el.clientWidth - el.scrollLeft <= threshold;
          const h2 = bound.get('scrolltoupper');
          if (atTop && !upper && h2) ctx.emit({ handler: h2, type: 'scrolltoupper', target, detail });
          const h3 = bound.get('scrolltolower');
          if (atBottom && !lower && h3) ctx.emit({ handler: h3, type: 'scrolltolower', target, detail });
          upper = atTop;
          lower = atBottom;
        },
      };
      return h('div', keyed(attrs), children(node, path, ctx));
    }
    case 'swiper': {
      const handler = bindings(node).get('change');
      return h(
        Swiper,
        keyed({
          ...common(node),
          current: num(p.current) ?? 0,
          autoplay: bool(p.autoplay),
          interval: num(p.interval) ?? 5000,
          circular: bool(p.circular),
          indicatorDots: bool(p.indicatorDots),
          vertical: bool(p.vertical),
          onChange: (detail: { current: number; source: string }) => {
            if (handler) ctx.emit({ handler, type: 'change', target: targetOf(node), detail });
          },
        }),
        () => node.children.filter((c): c is ViewNode => typeof c !== 'string').map((child, i) => renderNode(child, `${path}.${i}`, ctx)),
      );
    }
    case 'swiper-item': {
      const attrs = { ...common(node), ...listeners(node, ctx), role: 'group', 'aria-roledescription': 'slide' };
      return h('div', keyed(attrs), children(node, path, ctx));
    }
    case 'progress': {
      const percent = Math.max(0, Math.min(100, num(p.percent) ?? 0));
      const stroke = num(p.strokeWidth) ?? 6;
      const active = str(p.activeColor) ?? str(p.color);
      const bg = str(p.backgroundColor);
      return h('div', keyed(common(node)), [
        h(
          'div',
          { class: 'lv-progress-track', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': percent, style: { height: `${stroke}px`, ...(bg ? { background: bg } : {}) } },
          [h('div', { class: 'lv-progress-bar', style: { width: `${percent}%`, ...(active ? { background: active } : {}) } })],
        ),
        bool(p.showInfo) ? h('span', { class: 'lv-progress-info' }, `${percent}%`) : null,
      ]);
    }
    case 'qrcode': {
      const value = str(p.value) ?? '';
      const size = num(p.size) ?? 160;
      const level = (str(p.level) ?? 'M') as QrLevel;
      let d = '';
      let dim = 0;
      try {
        const qr = encodeQr(value, level);
        d = qrPath(qr);
        dim = qr.size + 8;
      } catch {
        // too long for a QR code: an empty frame
      }
      const attrs = { ...common(node), ...listeners(node, ctx), role: 'img', 'aria-label': str(p['aria-label']) ?? 'QR code' };
      keyboardTap(node, ctx, attrs);
      return h('span', keyed(attrs), [
        h('svg', { xmlns: 'http://www.w3.org/2000/svg', viewBox: `0 0 ${dim || 1} ${dim || 1}`, width: size, height: size, 'shape-rendering': 'crispEdges' }, [
          h('rect', { width: '100%', height: '100%', fill: '#fff' }),
          d ? h('path', { d, fill: '#000' }) : null,
        ]),
      ]);
    }
  }
  // A component of the set this renderer does not know: refuse it like an unknown one.
  ctx.refused({ type: String(node.type), path });
  return h('div', { class: 'lv lv-refused', role: 'note' }, '⚠');
}

/**
 * The renderer component.
 *
 * @example
 * ```vue
 * <ViewRenderer :tree="tree" :assets="assets" @event="(e) => mini.event(e)" @refused="onRefused" />
 * ```
 */
export default defineComponent({
  name: 'ViewRenderer',
  props: {
    tree: { type: Object as PropType<ViewNode | null>, default: null },
    assets: { type: Object as PropType<ReadonlyMap<string, string>>, default: () => new Map<string, string>() },
  },
  emits: {
    event: (e: RendererEvent) => typeof e.handler === 'string',
    refused: (r: RefusedNode) => typeof r.type === 'string',
  },
  setup(props, { emit }) {
    return () => {
      if (!props.tree) return null;
      const refusedNodes: RefusedNode[] = [];
      const vnode = renderNode(props.tree, '0', { emit: (e) => emit('event', e), refused: (r) => refusedNodes.push(r), assets: props.assets });
      // Reported after rendering, so the parent never updates state during this render.
      if (refusedNodes.length > 0) queueMicrotask(() => refusedNodes.forEach((r) => emit('refused', r)));
      return vnode;
    };
  },
});
