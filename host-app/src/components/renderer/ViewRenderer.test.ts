// @vitest-environment happy-dom
/**
 * The renderer: every component of the view protocol renders, events reach the runtime with the
 * right handler, type, target and detail, unknown components are refused, and the mini-app cannot
 * reach host ids or classes.
 */
import { mount, type VueWrapper } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { nextTick } from 'vue';
import { COMPONENTS, type ComponentName } from '../../../../runtime/view/components.ts';
import type { ViewNode } from '../../../../runtime/view/tree.ts';
import ViewRenderer, { formValues, type RefusedNode, type RendererEvent } from './ViewRenderer.ts';

const n = (type: string, props: Record<string, unknown> = {}, ...children: (ViewNode | string)[]): ViewNode => ({ type: type as ComponentName, props: props as ViewNode['props'], children });

function render(tree: ViewNode, assets: Map<string, string> = new Map()): VueWrapper {
  return mount(ViewRenderer, { props: { tree, assets }, attachTo: document.body });
}

const events = (w: VueWrapper) => (w.emitted('event') ?? []).map((e) => e[0] as RendererEvent);
const refused = (w: VueWrapper) => (w.emitted('refused') ?? []).map((e) => e[0] as RefusedNode);
const flush = () => new Promise<void>((r) => queueMicrotask(r));

/** A minimal valid node of each component, with what it must render as. */
const SAMPLES: Record<ComponentName, { node: ViewNode; selector: string }> = {
  view: { node: n('view', {}, 'hi'), selector: 'div.lv-view' },
  text: { node: n('text', {}, 'hi'), selector: 'span.lv-text' },
  button: { node: n('button', { type: 'primary' }, 'Go'), selector: 'button.lv-button.lv-button-primary' },
  image: { node: n('image', { src: 'assets/a.png', alt: 'A' }), selector: 'img.lv-image[alt="A"]' },
  input: { node: n('input', { placeholder: 'Name' }), selector: 'input.lv-input[placeholder="Name"]' },
  textarea: { node: n('textarea', { placeholder: 'Note' }), selector: 'textarea.lv-textarea' },
  list: { node: n('list', {}, n('list-item', { title: 'One' })), selector: 'div.lv-list[role="list"]' },
  'list-item': { node: n('list-item', { title: 'One', note: 'x', arrow: true }), selector: 'div.lv-list-item[role="listitem"]' },
  picker: { node: n('picker', { range: ['a', 'b'], value: 1 }, 'Pick'), selector: 'label.lv-picker select' },
  switch: { node: n('switch', { checked: true }), selector: 'label.lv-switch input[type="checkbox"][role="switch"]' },
  checkbox: { node: n('checkbox', { value: 'a', checked: true }, 'A'), selector: 'label.lv-checkbox input[type="checkbox"]' },
  'checkbox-group': { node: n('checkbox-group', {}, n('checkbox', { value: 'a' }, 'A')), selector: 'div.lv-checkbox-group[role="group"]' },
  radio: { node: n('radio', { value: 'a' }, 'A'), selector: 'label.lv-radio input[type="radio"]' },
  'radio-group': { node: n('radio-group', {}, n('radio', { value: 'a' }, 'A')), selector: 'div.lv-radio-group[role="radiogroup"]' },
  slider: { node: n('slider', { min: 0, max: 10, value: 3, showValue: true }), selector: 'div.lv-slider input[type="range"]' },
  form: { node: n('form', {}, n('input', { name: 'a' })), selector: 'form.lv-form' },
  label: { node: n('label', { for: 'name' }, 'Name'), selector: 'label.lv-label[for="mp-name"]' },
  icon: { node: n('icon', { type: 'success', size: 20 }), selector: 'span.lv-icon.lv-icon-success[role="img"]' },
  badge: { node: n('badge', { value: 120, max: 99 }, 'Inbox'), selector: 'span.lv-badge .lv-badge-count' },
  divider: { node: n('divider'), selector: 'hr.lv-divider' },
  'scroll-view': { node: n('scroll-view', { scrollY: true }, 'long'), selector: 'div.lv-scroll-view.lv-scroll-y' },
  swiper: { node: n('swiper', { indicatorDots: true }, n('swiper-item', {}, 'one'), n('swiper-item', {}, 'two')), selector: '.lv-swiper.lv-swiper-root' },
  'swiper-item': { node: n('swiper-item', {}, 'one'), selector: 'div.lv-swiper-item' },
  progress: { node: n('progress', { percent: 40, showInfo: true }), selector: 'div.lv-progress [role="progressbar"][aria-valuenow="40"]' },
  qrcode: { node: n('qrcode', { value: 'LILYPAY:qr_1', size: 96 }), selector: 'span.lv-qrcode svg path' },
};

describe('ViewRenderer', () => {
  it('renders every component of the view protocol', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(Object.keys(COMPONENTS).sort());
    for (const [type, { node, selector }] of Object.entries(SAMPLES)) {
      const w = render(node, new Map([['assets/a.png', 'blob:a']]));
      expect(w.find(selector).exists(), `${type} renders ${selector}`).toBe(true);
      expect(w.find('.lv-refused').exists(), `${type} is not refused`).toBe(false);
      w.unmount();
    }
  });

  it('renders text children, component details and safe image sources', () => {
    const w = render(
      n(
        'view',
        { id: 'home', class: 'page card' },
        n('text', {}, 'Count: 2'),
        n('image', { src: 'assets/a.png', alt: 'logo' }),
        n('image', { src: 'assets/missing.png' }),
        n('badge', { value: 120, max: 99 }),
        n('list-item', { title: 'Ride', note: '¥12', arrow: true }),
        n('progress', { percent: 140 }),
      ),
      new Map([['assets/a.png', 'blob:http://x/1']]),
    );
    const root = w.find('#mp-home');
    expect(root.classes()).toEqual(expect.arrayContaining(['lv', 'lv-view', 'mp-page', 'mp-card']));
    expect(w.text()).toContain('Count: 2');
    const imgs = w.findAll('img');
    expect(imgs[0]!.attributes('src')).toBe('blob:http://x/1');
    expect(imgs[1]!.attributes('src')).toBeUndefined();
    expect(w.find('.lv-badge-count').text()).toBe('99+');
    expect(w.find('.lv-list-item-note').text()).toBe('¥12');
    expect(w.find('[role="progressbar"]').attributes('aria-valuenow')).toBe('100');
    w.unmount();
  });

  it('refuses unknown components: a placeholder, and a refused event with the path', async () => {
    const w = render(n('view', {}, n('text', {}, 'ok'), n('iframe', { src: 'https://evil.example' }), n('view', {}, n('script', {}, 'alert(1)'))));
    await flush();
    expect(w.findAll('.lv-refused')).toHaveLength(2);
    expect(w.find('iframe').exists()).toBe(false);
    expect(w.find('script').exists()).toBe(false);
    expect(refused(w)).toEqual([
      { type: 'iframe', path: '0.1' },
      { type: 'script', path: '0.2.0' },
    ]);
    expect(w.text()).toContain('ok');
    w.unmount();
  });

  it('reads only the props of the spec: no host ids, no event attributes, no HTML', () => {
    const w = render(n('view', { id: 'app', onclick: 'steal()', innerHTML: '<b>x</b>', class: 'sheet-backdrop' }, 'safe'));
    const el = w.find('.lv-view');
    expect(el.attributes('id')).toBe('mp-app');
    expect(el.attributes('onclick')).toBeUndefined();
    expect(el.classes()).not.toContain('sheet-backdrop');
    expect(el.classes()).toContain('mp-sheet-backdrop');
    expect(el.html()).not.toContain('<b>');
    w.unmount();
  });

  it('wires tap with the target id and dataset, and makes tap targets keyboard-usable', async () => {
    const w = render(n('view', {}, n('button', { bindtap: 'buy', id: 'buy', 'data-item-id': 7 }, 'Buy'), n('view', { bindtap: 'open', 'data-kind': 'card' }, 'Card')));
    await w.find('button').trigger('click');
    const card = w.findAll('.lv-view')[1]!;
    expect(card.attributes('tabindex')).toBe('0');
    expect(card.attributes('role')).toBe('button');
    await card.trigger('keydown', { key: 'Enter' });
    await card.trigger('keydown', { key: ' ' });
    expect(events(w)).toEqual([
      { handler: 'buy', type: 'tap', target: { id: 'buy', dataset: { itemId: 7 } } },
      { handler: 'open', type: 'tap', target: { dataset: { kind: 'card' } } },
      { handler: 'open', type: 'tap', target: { dataset: { kind: 'card' } } },
    ]);
    w.unmount();
  });

  it('ignores bindings the component cannot have', async () => {
    const w = render(n('divider', { bindtap: 'x' }));
    await w.find('hr').trigger('click');
    expect(events(w)).toEqual([]);
    w.unmount();
  });

  it('wires input, change, confirm, focus and blur of inputs with their value', async () => {
    const w = render(n('input', { bindinput: 'onInput', bindchange: 'onChange', bindconfirm: 'onConfirm', bindfocus: 'onFocus', bindblur: 'onBlur', value: 'a' }));
    const input = w.find('input');
    (input.element as HTMLInputElement).value = 'Mei';
    await input.trigger('input');
    await input.trigger('change');
    await input.trigger('keydown', { key: 'Enter' });
    await input.trigger('focus');
    await input.trigger('blur');
    expect(events(w).map((e) => [e.handler, e.type, e.detail])).toEqual([
      ['onInput', 'input', { value: 'Mei' }],
      ['onChange', 'change', { value: 'Mei' }],
      ['onConfirm', 'confirm', { value: 'Mei' }],
      ['onFocus', 'focus', { value: 'Mei' }],
      ['onBlur', 'blur', { value: 'Mei' }],
    ]);
    w.unmount();
  });

  it('submits a form with the values of its named fields, and reports reset', async () => {
    const w = render(
      n(
        'form',
        { bindsubmit: 'save', bindreset: 'clear' },
        n('input', { name: 'who', value: 'Li' }),
        n('switch', { name: 'vip', checked: true }),
        n('slider', { name: 'seats', min: 1, max: 6, value: 2 }),
        n('picker', { name: 'city', range: ['Beijing', 'Shanghai'], value: 1 }),
        n('checkbox-group', { name: 'extras' }, n('checkbox', { value: 'bag', checked: true }), n('checkbox', { value: 'meal' })),
        n('radio-group', { name: 'class' }, n('radio', { value: 'first' }), n('radio', { value: 'economy', checked: true })),
        n('button', { formType: 'submit' }, 'Save'),
      ),
    );
    expect(formValues(w.find('form').element as HTMLFormElement)).toEqual({ who: 'Li', vip: true, seats: 2, city: 1, extras: ['bag'], class: 'economy' });
    await w.find('form').trigger('submit');
    await w.find('form').trigger('reset');
    expect(events(w)).toEqual([
      { handler: 'save', type: 'submit', target: { dataset: {} }, detail: { value: { who: 'Li', vip: true, seats: 2, city: 1, extras: ['bag'], class: 'economy' } } },
      { handler: 'clear', type: 'reset', target: { dataset: {} } },
    ]);
    w.unmount();
  });

  it('reports changes of switch, slider, picker, checkbox-group, radio-group and swiper', async () => {
    const w = render(
      n(
        'view',
        {},
        n('switch', { bindchange: 'toggle' }),
        n('slider', { bindchange: 'set', bindchanging: 'sliding', min: 0, max: 10 }),
        n('picker', { bindchange: 'pick', range: ['a', 'b', 'c'] }),
        n('checkbox-group', { bindchange: 'extras' }, n('checkbox', { value: 'x', checked: true }), n('checkbox', { value: 'y' })),
        n('radio-group', { bindchange: 'choose' }, n('radio', { value: 'p' }), n('radio', { value: 'q', checked: true })),
        n('swiper', { bindchange: 'slide' }, n('swiper-item', {}, '1'), n('swiper-item', {}, '2')),
      ),
    );
    const toggle = w.find('input[role="switch"]');
    (toggle.element as HTMLInputElement).checked = true;
    await toggle.trigger('change');
    const range = w.find('input[type="range"]');
    (range.element as HTMLInputElement).value = '6';
    await range.trigger('input');
    await range.trigger('change');
    const select = w.find('select');
    (select.element as HTMLSelectElement).selectedIndex = 2;
    await select.trigger('change');
    await w.find('.lv-checkbox-group input').trigger('change');
    await w.find('.lv-radio-group input').trigger('change');
    await w.find('.lv-swiper-next').trigger('click');
    expect(events(w).map((e) => [e.handler, e.type, e.detail])).toEqual([
      ['toggle', 'change', { value: true }],
      ['sliding', 'changing', { value: 6 }],
      ['set', 'change', { value: 6 }],
      ['pick', 'change', { value: 2 }],
      ['extras', 'change', { value: ['x'] }],
      ['choose', 'change', { value: 'q' }],
      ['slide', 'change', { current: 1, source: 'touch' }],
    ]);
    expect(w.findAll('.lv-swiper-slide')[1]!.attributes('hidden')).toBeUndefined();
    w.unmount();
  });

  it('reports longpress, scroll edges, and image load and error', async () => {
    const w = render(
      n(
        'view',
        {},
        n('view', { bindlongpress: 'menu' }, 'hold'),
        n('scroll-view', { bindscroll: 'onScroll', bindscrolltolower: 'more', scrollY: true, lowerThreshold: 10 }, 'x'),
        n('image', { src: 'assets/a.png', bindload: 'loaded', binderror: 'failed' }),
      ),
      new Map([['assets/a.png', 'blob:a']]),
    );
    await w.findAll('.lv-view')[1]!.trigger('contextmenu');
    const scroller = w.find('.lv-scroll-view');
    await scroller.trigger('scroll');
    await w.find('img').trigger('load');
    await w.find('img').trigger('error');
    const got = events(w).map((e) => [e.handler, e.type]);
    expect(got).toContainEqual(['menu', 'longpress']);
    expect(got).toContainEqual(['onScroll', 'scroll']);
    expect(got).toContainEqual(['more', 'scrolltolower']);
    expect(got).toContainEqual(['loaded', 'load']);
    expect(got).toContainEqual(['failed', 'error']);
    w.unmount();
  });

  it('re-renders when the runtime sends a new tree', async () => {
    const w = render(n('text', { id: 'count' }, 'Count: 0'));
    await w.setProps({ tree: n('text', { id: 'count' }, 'Count: 1') });
    await nextTick();
    expect(w.find('#mp-count').text()).toBe('Count: 1');
    w.unmount();
  });
});
