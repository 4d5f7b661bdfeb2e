Page({
  data: { count: 0, saved: null },

  onLoad(query) {
    if (query.start) this.setData({ count: Number(query.start) || 0 });
  },

  increment() {
    this.setData({ count: this.data.count + 1 });
  },

  decrement() {
    this.setData({ count: Math.max(0, this.data.count - 1) });
  },

  async save() {
    const { count } = this.data;
    await lily.base.ui.showToast({ title: `Saved ${count}`, icon: 'success' });
    this.setData({ saved: count });
  },

  openAbout() {
    lily.base.navigate.navigateTo({ url: 'pages/about/about?from=index' });
  },

  render(data) {
    const app = getApp();
    return h(
      'view',
      { id: 'home', class: 'page' },
      h('text', { class: 'title' }, app.globalData.greeting),
      h('text', { id: 'count' }, `Count: ${data.count}`),
      h(
        'view',
        { class: 'row' },
        h('button', { bindtap: 'decrement', disabled: data.count === 0 }, '−1'),
        h('button', { bindtap: 'increment', type: 'primary' }, '+1'),
      ),
      h('button', { bindtap: 'save' }, 'Save'),
      data.saved === null ? null : h('text', { id: 'saved' }, `Last saved: ${data.saved}`),
      h('button', { bindtap: 'openAbout', size: 'mini' }, 'About'),
    );
  },
});
