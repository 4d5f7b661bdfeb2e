import { backend, problem, STATUS, yuan } from '../../api.js';

Page({
  data: { bookings: null, error: null },

  async onShow() {
    try {
      const { bookings } = await backend('GET', '/bookings');
      this.setData({ bookings });
    } catch (err) {
      this.setData({ error: problem(err) });
    }
  },

  open(e) {
    lily.base.navigate.navigateTo({ url: 'pages/booking/booking?bookingId=' + e.currentTarget.dataset.booking });
  },

  home() {
    lily.base.navigate.reLaunch({ url: 'pages/index/index' });
  },

  render(data) {
    return (
      <view id="bookings" class="page">
        <text class="title">My bookings</text>
        {data.bookings && data.bookings.length === 0 ? <text id="none">No bookings yet.</text> : null}
        <list>
          {(data.bookings || []).map((b) => (
            <list-item key={b.bookingId} bindtap="open" data-booking={b.bookingId} arrow>
              <view>
                <text class="subtitle">{b.hotel.name}</text>
                <text>{`${b.room.name} · ${b.checkIn} → ${b.checkOut}`}</text>
                <text class="booking-status">{`${STATUS[b.status] || b.status} · ${yuan(b.status === 'checked_out' || b.status === 'cancelled' ? b.charged : b.roomTotal)}`}</text>
              </view>
            </list-item>
          ))}
        </list>
        <button id="home" bindtap="home">New search</button>
        {data.error ? <text id="error" class="error">{data.error}</text> : null}
      </view>
    );
  },
});
