import { backend, problem, yuan } from '../../api.js';

Page({
  data: { member: null, films: [], campaigns: [], lastFilm: null, error: null, busy: false },

  async onLoad() {
    // Bank discounts are the bank's: shown before login, applied by the cashier.
    try {
      const { campaigns } = await lily.marketing.campaigns.listCampaigns({});
      this.setData({ campaigns });
    } catch (err) {
      this.setData({ campaigns: [] });
    }
    const session = getApp().globalData.session;
    if (session) await this.loadFilms();
  },

  onShow() {
    const session = getApp().globalData.session;
    if (session && !this.data.member) this.setData({ member: session.member });
  },

  async login() {
    this.setData({ busy: true, error: null });
    try {
      const { code } = await lily.member.login.login();
      const s = await backend('POST', '/session', { code });
      getApp().globalData.session = s;
      this.setData({ member: s.member });
      await this.loadFilms();
    } catch (err) {
      this.setData({ error: problem(err) });
    } finally {
      this.setData({ busy: false });
    }
  },

  async loadFilms() {
    const { films } = await backend('GET', '/films');
    this.setData({ films });
    // The last film looked at, if this user has one on this phone.
    const info = await lily.base.storage.getStorageInfo();
    if (info.keys.indexOf('lastFilm') >= 0) {
      const { data } = await lily.base.storage.getStorage({ key: 'lastFilm' });
      this.setData({ lastFilm: data });
    }
  },

  open(e) {
    lily.base.navigate.navigateTo({ url: 'pages/film/film?filmId=' + e.currentTarget.dataset.film });
  },

  reopen() {
    lily.base.navigate.navigateTo({ url: 'pages/film/film?filmId=' + this.data.lastFilm.id });
  },

  tickets() {
    lily.base.navigate.navigateTo({ url: 'pages/tickets/tickets' });
  },

  render(data) {
    const banner = data.campaigns.length ? (
      <view id="campaigns" class="card">
        {data.campaigns.map((c) => (
          <text key={c.campaignId}>{`银行优惠 · ${c.title}`}</text>
        ))}
      </view>
    ) : null;
    if (!data.member) {
      return (
        <view id="welcome" class="page">
          <text class="title">百合影城</text>
          <text>Films, seats and tickets, paid by your bank.</text>
          {banner}
          <button id="login" type="primary" bindtap="login" loading={data.busy}>Log in with your bank</button>
          {data.error ? <text id="error" class="error">{data.error}</text> : null}
        </view>
      );
    }
    return (
      <view id="home" class="page">
        <text id="member">{`Member ${data.member}`}</text>
        {banner}
        {data.lastFilm ? <button id="last-film" bindtap="reopen">{`Continue: ${data.lastFilm.title}`}</button> : null}
        <text class="label">Now showing</text>
        <list id="films">
          {data.films.map((f) => (
            <list-item key={f.id} bindtap="open" data-film={f.id} arrow>
              <text class="film-title">{`${f.title} ${f.titleEn}`}</text>
              <text class="film-meta">{`${f.genre} · ${f.minutes} min · ★${f.score} · from ${yuan(f.fromPrice)}`}</text>
              <text class="film-next">{`Next: ${f.next.label} ${f.next.hall}`}</text>
            </list-item>
          ))}
        </list>
        <button id="tickets" bindtap="tickets">My tickets</button>
        {data.error ? <text id="error" class="error">{data.error}</text> : null}
      </view>
    );
  },
});
