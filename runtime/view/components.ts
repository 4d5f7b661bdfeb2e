/**
 * The fixed set of view components a mini-app may render, and for each the props it may set
 * and the events it may bind. Anything else is refused (see `validateViewTree`).
 *
 * Events are bound with WeChat's convention: `bind<event>` names a page method,
 * e.g. `h('button', { bindtap: 'increment' }, '+1')`. Props starting with `on` are refused.
 */

/** How a prop's value is checked. */
export type PropKind =
  | { kind: 'string'; max: number }
  | { kind: 'number'; min?: number; max?: number }
  | { kind: 'boolean' }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'scalar' }
  | { kind: 'style' }
  | { kind: 'image' }
  | { kind: 'list'; max: number };

/** A component's spec: allowed props (besides the common ones), events, and whether it has children. */
export interface ComponentSpec {
  props: Readonly<Record<string, PropKind>>;
  events: readonly EventType[];
  children: boolean;
}

/** Every event type a component may bind. */
export const EVENT_TYPES = [
  'tap',
  'longpress',
  'input',
  'change',
  'changing',
  'confirm',
  'focus',
  'blur',
  'submit',
  'reset',
  'scroll',
  'scrolltoupper',
  'scrolltolower',
  'load',
  'error',
] as const;

/** One of {@link EVENT_TYPES}. */
export type EventType = (typeof EVENT_TYPES)[number];

const str = (max: number): PropKind => ({ kind: 'string', max });
const num = (min?: number, max?: number): PropKind => ({ kind: 'number', ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) });
const bool: PropKind = { kind: 'boolean' };
const oneOf = (...values: string[]): PropKind => ({ kind: 'enum', values });
const color = str(32);

/** Props every component accepts. `data-*` props are accepted too and become the event's dataset. */
export const COMMON_PROPS: Readonly<Record<string, PropKind>> = {
  id: str(64),
  class: str(256),
  style: { kind: 'style' },
  hidden: bool,
  key: { kind: 'scalar' },
  'aria-label': str(200),
  'aria-role': str(32),
};

const formField = { name: str(64), disabled: bool };

/** The component set. */
export const COMPONENTS = {
  view: { props: {}, events: ['tap', 'longpress'], children: true },
  text: { props: { selectable: bool, space: oneOf('ensp', 'emsp', 'nbsp') }, events: ['tap', 'longpress'], children: true },
  button: {
    props: {
      type: oneOf('primary', 'default', 'warn'),
      size: oneOf('default', 'mini'),
      plain: bool,
      disabled: bool,
      loading: bool,
      formType: oneOf('submit', 'reset'),
    },
    events: ['tap', 'longpress'],
    children: true,
  },
  image: {
    props: { src: { kind: 'image' }, mode: oneOf('scaleToFill', 'aspectFit', 'aspectFill', 'widthFix', 'heightFix'), alt: str(200), lazyLoad: bool },
    events: ['tap', 'load', 'error'],
    children: false,
  },
  input: {
    props: {
      ...formField,
      value: { kind: 'scalar' },
      type: oneOf('text', 'number', 'idcard', 'digit'),
      password: bool,
      placeholder: str(100),
      maxlength: num(-1, 10_000),
      focus: bool,
      confirmType: oneOf('send', 'search', 'next', 'go', 'done'),
    },
    events: ['input', 'change', 'confirm', 'focus', 'blur'],
    children: false,
  },
  textarea: {
    props: { ...formField, value: str(10_000), placeholder: str(200), maxlength: num(-1, 10_000), autoHeight: bool, focus: bool },
    events: ['input', 'change', 'confirm', 'focus', 'blur'],
    children: false,
  },
  list: { props: { divided: bool }, events: ['tap', 'scrolltolower'], children: true },
  'list-item': { props: { title: str(100), note: str(100), arrow: bool }, events: ['tap', 'longpress'], children: true },
  picker: {
    props: {
      ...formField,
      mode: oneOf('selector', 'multiSelector', 'date', 'time', 'region'),
      range: { kind: 'list', max: 500 },
      value: { kind: 'scalar' },
      start: str(32),
      end: str(32),
    },
    events: ['change'],
    children: true,
  },
  switch: { props: { ...formField, checked: bool, color, type: oneOf('switch', 'checkbox') }, events: ['change'], children: false },
  checkbox: { props: { value: { kind: 'scalar' }, checked: bool, disabled: bool, color }, events: ['tap'], children: true },
  'checkbox-group': { props: { name: str(64) }, events: ['change'], children: true },
  radio: { props: { value: { kind: 'scalar' }, checked: bool, disabled: bool, color }, events: ['tap'], children: true },
  'radio-group': { props: { name: str(64) }, events: ['change'], children: true },
  slider: {
    props: { ...formField, min: num(), max: num(), step: num(0), value: num(), showValue: bool, activeColor: color, backgroundColor: color },
    events: ['change', 'changing'],
    children: false,
  },
  form: { props: {}, events: ['submit', 'reset'], children: true },
  label: { props: { for: str(64) }, events: ['tap'], children: true },
  icon: {
    props: { type: oneOf('success', 'success_no_circle', 'info', 'warn', 'waiting', 'cancel', 'download', 'search', 'clear'), size: num(1, 200), color },
    events: ['tap'],
    children: false,
  },
  badge: { props: { value: { kind: 'scalar' }, max: num(1, 100_000), dot: bool, color }, events: ['tap'], children: true },
  divider: { props: { vertical: bool }, events: [], children: false },
  'scroll-view': {
    props: { scrollX: bool, scrollY: bool, scrollTop: num(), scrollLeft: num(), scrollIntoView: str(64), lowerThreshold: num(0, 10_000) },
    events: ['scroll', 'scrolltoupper', 'scrolltolower'],
    children: true,
  },
  swiper: {
    props: { indicatorDots: bool, autoplay: bool, interval: num(500, 60_000), duration: num(0, 10_000), circular: bool, current: num(0), vertical: bool },
    events: ['change'],
    children: true,
  },
  'swiper-item': { props: { itemId: str(64) }, events: ['tap'], children: true },
  progress: { props: { percent: num(0, 100), showInfo: bool, strokeWidth: num(1, 50), color, activeColor: color, backgroundColor: color }, events: [], children: false },
  qrcode: { props: { value: str(2048), size: num(32, 1024), level: oneOf('L', 'M', 'Q', 'H') }, events: ['tap'], children: false },
} satisfies Record<string, ComponentSpec>;

/** A component name. */
export type ComponentName = keyof typeof COMPONENTS;

/** The spec of `name`, or undefined when it is not a component. */
export function componentSpec(name: string): ComponentSpec | undefined {
  return Object.prototype.hasOwnProperty.call(COMPONENTS, name) ? (COMPONENTS as Record<string, ComponentSpec>)[name] : undefined;
}
