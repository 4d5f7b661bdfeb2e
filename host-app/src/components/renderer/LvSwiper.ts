/**
 * The `swiper` view component: one slide at a time, previous/next buttons, indicator dots,
 * arrow keys, optional autoplay (paused while the pointer or focus is inside). Emits `change`
 * with `{current, source}` as WeChat's swiper does.
 */
import { defineComponent, h, onBeforeUnmount, ref, watch, type VNode } from 'vue';

export default defineComponent({
  name: 'LvSwiper',
  inheritAttrs: false,
  props: {
    current: { type: Number, default: 0 },
    autoplay: { type: Boolean, default: false },
    interval: { type: Number, default: 5000 },
    circular: { type: Boolean, default: false },
    indicatorDots: { type: Boolean, default: false },
    vertical: { type: Boolean, default: false },
  },
  emits: { change: (d: { current: number; source: string }) => typeof d.current === 'number' },
  setup(props, { emit, slots, attrs }) {
    const index = ref(props.current);
    let paused = false;
    let count = 0;
    watch(
      () => props.current,
      (v) => (index.value = v),
    );
    const go = (next: number, source: string) => {
      if (count === 0) return;
      let target = next;
      if (target < 0) target = props.circular ? count - 1 : 0;
      if (target >= count) target = props.circular ? 0 : count - 1;
      if (target === index.value) return;
      index.value = target;
      emit('change', { current: target, source });
    };
    let timer: ReturnType<typeof setInterval> | undefined;
    watch(
      () => [props.autoplay, props.interval] as const,
      ([auto, interval]) => {
        clearInterval(timer);
        if (auto) timer = setInterval(() => !paused && go(index.value + 1 >= count ? 0 : index.value + 1, 'autoplay'), Math.max(500, interval));
      },
      { immediate: true },
    );
    onBeforeUnmount(() => clearInterval(timer));
    return () => {
      const items = (slots.default?.() ?? []) as VNode[];
      count = items.length;
      const current = Math.min(Math.max(index.value, 0), Math.max(count - 1, 0));
      return h(
        'div',
        {
          ...attrs,
          class: [attrs.class, 'lv-swiper-root', props.vertical ? 'lv-swiper-vertical' : ''],
          role: 'region',
          'aria-roledescription': 'carousel',
          tabindex: 0,
          onKeydown: (e: KeyboardEvent) => {
            const prev = props.vertical ? 'ArrowUp' : 'ArrowLeft';
            const next = props.vertical ? 'ArrowDown' : 'ArrowRight';
            if (e.key === prev) go(current - 1, 'touch');
            else if (e.key === next) go(current + 1, 'touch');
          },
          onPointerenter: () => (paused = true),
          onPointerleave: () => (paused = false),
          onFocusin: () => (paused = true),
          onFocusout: () => (paused = false),
        },
        [
          h('div', { class: 'lv-swiper-slides', 'aria-live': props.autoplay ? 'off' : 'polite' }, items.map((item, i) => h('div', { class: 'lv-swiper-slide', hidden: i !== current, key: i }, [item]))),
          count > 1
            ? h('div', { class: 'lv-swiper-controls' }, [
                h('button', { type: 'button', class: 'lv-swiper-prev', 'aria-label': 'previous', onClick: () => go(current - 1, 'touch') }, '‹'),
                props.indicatorDots
                  ? h(
                      'span',
                      { class: 'lv-swiper-dots' },
                      items.map((_, i) =>
                        h('button', { type: 'button', class: ['lv-swiper-dot', i === current ? 'active' : ''], 'aria-label': String(i + 1), 'aria-current': i === current || undefined, onClick: () => go(i, 'touch') }),
                      ),
                    )
                  : null,
                h('button', { type: 'button', class: 'lv-swiper-next', 'aria-label': 'next', onClick: () => go(current + 1, 'touch') }, '›'),
              ])
            : null,
        ],
      );
    };
  },
});
