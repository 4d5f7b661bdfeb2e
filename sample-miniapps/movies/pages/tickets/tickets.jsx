import { backend, problem, yuan } from '../../api.js';

const STATUS = { paid: 'Paid', refunded: 'Refunded', partially_refunded: 'Partly refunded', created: 'Awaiting payment', closed: 'Closed' };

Page({
  data: { bookings: [], orders: {}, error: null },

  async onShow() {
    try {
      const { bookings } = await backend('GET', '/bookings');
      // The bank's view of the same orders: the status shown is the bank's.
      const { orders } = await lily.payment.orders.listOrders({ limit: 50 });
      const byId = {};
      for (const o of orders) byId[o.orderId] = o;
      this.setData({ bookings, orders: byId });
    } catch (err) {
      this.setData({ error: problem(err) });
    }
  },

  open(e) {
    lily.base.navigate.navigateTo({ url: 'pages/ticket/ticket?bookingId=' + e.currentTarget.dataset.booking });
  },

  back() {
    lily.base.navigate.navigateBack();
  },

  render(data) {
    return (
      <view id="tickets" class="page">
        <text class="title">My tickets</text>
        {data.bookings.length ? (
          <list id="bookings">
            {data.bookings.map((b) => {
              const order = data.orders[b.orderId];
              return (
                <list-item key={b.bookingId} bindtap="open" data-booking={b.bookingId} arrow>
                  <text>{`${b.film.title} · ${b.showtime.label} · ${b.seats.join(' ')}`}</text>
                  <text class="booking-status">{order ? `${STATUS[order.status] || order.status} · ${yuan(order.paidAmount)}` : b.status}</text>
                </list-item>
              );
            })}
          </list>
        ) : (
          <text id="empty">No tickets yet.</text>
        )}
        <button id="back" bindtap="back">Back</button>
        {data.error ? <text id="error" class="error">{data.error}</text> : null}
      </view>
    );
  },
});
