import { backend, problem, yuan } from '../../api.js';

Page({
  data: { film: null, showtimes: [], shared: null, error: null },

  async onLoad(query) {
    try {
      const { film, showtimes } = await backend('GET', '/films/' + encodeURIComponent(query.filmId || ''));
      this.setData({ film, showtimes });
      lily.base.ui.setNavigationBarTitle({ title: film.title });
      await lily.base.storage.setStorage({ key: 'lastFilm', data: { id: film.id, title: film.title } });
    } catch (err) {
      this.setData({ error: problem(err) });
    }
  },

  pick(e) {
    lily.base.navigate.navigateTo({ url: 'pages/seats/seats?showtimeId=' + e.currentTarget.dataset.show });
  },

  async share() {
    const film = this.data.film;
    if (!film) return;
    try {
      const { shareCode } = await lily.marketing.share.share({ title: `一起看《${film.title}》`, path: 'pages/film/film?filmId=' + film.id });
      this.setData({ shared: shareCode });
    } catch (err) {
      if (err.code !== 'USER_CANCELLED') lily.base.ui.showToast({ title: 'Sharing failed', icon: 'error' });
    }
  },

  render(data) {
    const film = data.film;
    if (!film) {
      return (
        <view id="film" class="page">
          {data.error ? <text id="error" class="error">{data.error}</text> : <text>Loading…</text>}
        </view>
      );
    }
    return (
      <view id="film" class="page">
        <text class="title">{film.title}</text>
        <text>{`${film.titleEn} · ${film.genre} · ${film.minutes} min · ★${film.score}`}</text>
        <text id="synopsis">{film.synopsis}</text>
        <text class="label">Showtimes</text>
        <list id="showtimes">
          {data.showtimes.map((s) => (
            <list-item key={s.showtimeId} bindtap="pick" data-show={s.showtimeId} arrow>
              <text>{`${s.label} · ${s.hall} · ${yuan(s.price)} · ${s.seatsLeft} seats left`}</text>
            </list-item>
          ))}
        </list>
        <button id="share" bindtap="share">Invite a friend</button>
        {data.shared ? <text id="shared">{`Shared, code ${data.shared}`}</text> : null}
        {data.error ? <text id="error" class="error">{data.error}</text> : null}
      </view>
    );
  },
});
