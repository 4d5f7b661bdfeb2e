import { backend, problem, yuan } from '../../api.js';

const MAX_SEATS = 4;

Page({
  data: { showtimeId: '', showtime: null, film: null, rows: [], picked: [], error: null, busy: false },

  async onLoad(query) {
    this.setData({ showtimeId: query.showtimeId || '' });
    await this.refresh();
  },

  // Back from the checkout: the map may have changed meanwhile.
  async onShow() {
    if (this.data.showtime) await this.refresh();
  },

  async refresh() {
    try {
      const map = await backend('GET', '/showtimes/' + encodeURIComponent(this.data.showtimeId));
      const free = (seat) => map.rows.some((r) => r.seats.some((s) => s.seat === seat && (s.status === 'free' || s.status === 'mine')));
      this.setData({ showtime: map.showtime, film: map.film, rows: map.rows, picked: this.data.picked.filter(free) });
    } catch (err) {
      this.setData({ error: problem(err) });
    }
  },

  pick(e) {
    const seat = e.currentTarget.dataset.seat;
    const picked = this.data.picked.slice();
    const at = picked.indexOf(seat);
    if (at >= 0) picked.splice(at, 1);
    else if (picked.length >= MAX_SEATS) {
      lily.base.ui.showToast({ title: `At most ${MAX_SEATS} seats`, icon: 'none' });
      return;
    } else picked.push(seat);
    this.setData({ picked, error: null });
  },

  async lock() {
    if (!this.data.picked.length) return;
    this.setData({ busy: true, error: null });
    try {
      const lock = await backend('POST', '/showtimes/' + encodeURIComponent(this.data.showtimeId) + '/locks', { seats: this.data.picked });
      lily.base.navigate.navigateTo({ url: 'pages/checkout/checkout?lockId=' + lock.lockId });
    } catch (err) {
      // Someone was faster: say which seats, and show the map as it is now.
      this.setData({ error: problem(err) });
      await this.refresh();
    } finally {
      this.setData({ busy: false });
    }
  },

  render(data) {
    const { showtime, film, picked } = data;
    return (
      <view id="seats" class="page">
        {showtime ? <text class="title">{`${film.title} · ${showtime.label} · ${showtime.hall}`}</text> : <text>Loading…</text>}
        <text class="screen">SCREEN</text>
        {data.rows.map((r) => (
          <view key={r.row} class="seat-row" style="display: flex; align-items: center; gap: 2px">
            <text class="row-name" style="width: 16px">{r.row}</text>
            {r.seats.map((s) =>
              s.status === 'none' ? (
                <view key={s.seat} class="seat-gap" style="flex: 1" />
              ) : (
                <button
                  key={s.seat}
                  size="mini"
                  style="flex: 1; min-width: 0; padding: 0"
                  bindtap="pick"
                  data-seat={s.seat}
                  disabled={s.status === 'sold' || s.status === 'locked'}
                  type={picked.indexOf(s.seat) >= 0 ? 'primary' : s.status === 'sold' || s.status === 'locked' ? 'warn' : 'default'}
                  aria-label={`${s.seat} ${s.status}`}
                >
                  {s.seat.slice(1)}
                </button>
              ),
            )}
          </view>
        ))}
        <text id="picked">{picked.length ? `Seats ${picked.join(' ')} · ${yuan(picked.length * (showtime ? showtime.price : 0))}` : 'Tap up to 4 free seats'}</text>
        <button id="lock" type="primary" bindtap="lock" disabled={!picked.length} loading={data.busy}>Lock seats and pay</button>
        {data.error ? <text id="error" class="error">{data.error}</text> : null}
      </view>
    );
  },
});
