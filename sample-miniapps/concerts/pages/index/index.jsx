import { backend, countdown, problem, when, yuan } from '../../api.js';

const STATUS = {
  upcoming: 'On sale soon',
  on_sale: 'On sale',
  sold_out: 'Sold out',
  closed: 'Sales closed',
  cancelled: 'Cancelled',
};

Page({
  data: { fan: null, shows: [], elapsed: 0, reminders: [], error: null, busy: false },

  onShow() {
    const session = getApp().globalData.session;
    if (session) {
      this.setData({ fan: session.fan });
      this.refresh();
    }
  },

  onHide() {
    this.stopTimer();
  },

  onUnload() {
    this.stopTimer();
  },

  async login() {
    this.setData({ busy: true, error: null });
    try {
      const { code } = await lily.member.login.login();
      const s = await backend('POST', '/session', { code });
      getApp().globalData.session = s;
      this.setData({ fan: s.fan });
      await this.refresh();
    } catch (err) {
      this.setData({ error: problem(err) });
    } finally {
      this.setData({ busy: false });
    }
  },

  async refresh() {
    try {
      const { shows } = await backend('GET', '/shows');
      // Reminders live on this device (base.storage); none saved yet is not an error.
      const reminders = await lily.base.storage.getStorage({ key: 'reminders' }).then((r) => r.data || [], () => []);
      this.setData({ shows, reminders, elapsed: 0, error: null });
      this.startTimer();
    } catch (err) {
      this.setData({ error: problem(err) });
    }
  },

  startTimer() {
    this.stopTimer();
    // The countdowns tick on a timer; the back end's figures are the reference, so the list is
    // fetched again as soon as a sale opens.
    if (this.data.shows.some((s) => s.status === 'upcoming')) this.timer = setInterval(() => this.tick(), 1000);
  },

  stopTimer() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  },

  tick() {
    const elapsed = this.data.elapsed + 1;
    if (this.data.shows.some((s) => s.status === 'upcoming' && s.secondsToSale - elapsed <= 0)) {
      this.stopTimer();
      this.refresh();
      return;
    }
    this.setData({ elapsed });
  },

  async remind(e) {
    const showId = e.currentTarget.dataset.show;
    const on = !this.data.reminders.includes(showId);
    const reminders = on ? this.data.reminders.concat([showId]) : this.data.reminders.filter((id) => id !== showId);
    try {
      await lily.base.storage.setStorage({ key: 'reminders', data: reminders });
      this.setData({ reminders });
      lily.base.ui.showToast({ title: on ? 'Reminder set' : 'Reminder removed', icon: 'success' });
    } catch (err) {
      this.setData({ error: problem(err) });
    }
  },

  open(e) {
    lily.base.navigate.navigateTo({ url: 'pages/show/show?showId=' + e.currentTarget.dataset.show });
  },

  mine() {
    lily.base.navigate.navigateTo({ url: 'pages/mine/mine' });
  },

  render(data) {
    if (!data.fan) {
      return (
        <view id="welcome" class="page">
          <text class="title">声浪票务</text>
          <text>Concert tickets by fair draw, paid in installments, your money safe in escrow until the show.</text>
          <button id="login" type="primary" bindtap="login" loading={data.busy}>Log in with your bank</button>
          {data.error ? <text id="error" class="error">{data.error}</text> : null}
        </view>
      );
    }
    return (
      <view id="home" class="page">
        <text id="fan">{`Fan ${data.fan}`}</text>
        <list id="shows">
          {data.shows.map((s) => (
            <list-item key={s.showId}>
              <view class="card" data-show={s.showId}>
                <text class="title">{s.title}</text>
                <text>{`${s.city} · ${s.venue} · ${when(s.startsAt)}`}</text>
                <text>{`${yuan(s.price)} · ${s.oddsPpm >= 1000000 ? 'every draw wins while tickets last' : 'draw odds ' + Math.round(s.oddsPpm / 10000) + '%'}`}</text>
                {s.status === 'upcoming' ? (
                  <text id={'countdown-' + s.showId} class="countdown">{`On sale in ${countdown(s.secondsToSale - data.elapsed)}`}</text>
                ) : (
                  <badge id={'status-' + s.showId}>{STATUS[s.status] + (s.status === 'on_sale' ? ` · ${s.remaining} left` : '')}</badge>
                )}
                <view class="row">
                  <button bindtap="open" data-show={s.showId} type="primary" size="mini">Details</button>
                  {s.status === 'upcoming' ? (
                    <button bindtap="remind" data-show={s.showId} size="mini">{data.reminders.includes(s.showId) ? 'Reminder on ✓' : 'Remind me'}</button>
                  ) : null}
                </view>
              </view>
            </list-item>
          ))}
        </list>
        <button id="mine" bindtap="mine">My tickets</button>
        {data.error ? <text id="error" class="error">{data.error}</text> : null}
      </view>
    );
  },
});
