import { backend, problem, yuan } from '../../api.js';

Page({
  data: { bookingId: '', booking: null, order: null, refund: null, reminder: null, error: null },

  async onLoad(query) {
    this.setData({ bookingId: query.bookingId || '' });
    await this.refresh();
  },

  async refresh() {
    try {
      const booking = await backend('GET', '/bookings/' + encodeURIComponent(this.data.bookingId));
      this.setData({ booking, reminder: booking.reminder ? booking.reminder.status : null });
      // What the bank says was paid and refunded, not what the cinema says.
      this.setData({ order: await lily.payment.orders.getOrder({ orderId: booking.orderId }) });
      if (booking.refund) this.setData({ refund: await lily.payment.refund.getRefund({ refundId: booking.refund.refundId }) });
    } catch (err) {
      this.setData({ error: problem(err) });
    }
  },

  async remind() {
    const booking = this.data.booking;
    if (!booking) return;
    this.setData({ error: null });
    try {
      // The bank asks the user; each accept allows the cinema one message.
      const { results } = await lily.marketing.subscribe.requestSubscribe({ templateIds: [booking.reminderTemplateId] });
      if (!results.some((r) => r.status === 'accept')) {
        this.setData({ reminder: 'declined' });
        return;
      }
      const updated = await backend('POST', '/bookings/' + booking.bookingId + '/reminder');
      this.setData({ booking: updated, reminder: updated.reminder.status });
      lily.base.ui.showToast({ title: 'Reminder set', icon: 'success' });
    } catch (err) {
      this.setData({ error: err.code === 'USER_CANCELLED' ? 'No reminder was set.' : problem(err) });
    }
  },

  async refundTicket() {
    const booking = this.data.booking;
    if (!booking) return;
    this.setData({ error: null });
    const { confirm } = await lily.base.ui.showModal({
      title: 'Refund this ticket?',
      content: `${booking.film.title} ${booking.showtime.label}, seats ${booking.seats.join(' ')}. ${yuan(booking.paidAmount)} goes back to where you paid from.`,
      confirmText: 'Refund',
    });
    if (!confirm) return;
    lily.base.ui.showLoading({ title: 'Refunding' });
    try {
      await backend('POST', '/bookings/' + booking.bookingId + '/refund');
      await this.refresh();
    } catch (err) {
      this.setData({ error: problem(err) });
    } finally {
      lily.base.ui.hideLoading();
    }
  },

  tickets() {
    lily.base.navigate.navigateTo({ url: 'pages/tickets/tickets' });
  },

  home() {
    lily.base.navigate.reLaunch({ url: 'pages/index/index' });
  },

  render(data) {
    const { booking: b, order, refund } = data;
    if (!b) {
      return (
        <view id="ticket" class="page">
          {data.error ? <text id="error" class="error">{data.error}</text> : <text>Loading…</text>}
          <button id="home" bindtap="home">Home</button>
        </view>
      );
    }
    return (
      <view id="ticket" class="page">
        <text class="title">{b.film.title}</text>
        <text id="show">{`${b.showtime.label} · ${b.showtime.hall} · seats ${b.seats.join(' ')}`}</text>
        {b.ticket ? (
          <view id="eticket" class="card">
            <qrcode id="qr" value={b.ticket.qr} size={200} level="M" />
            <text id="code">{`Ticket ${b.ticket.code}`}</text>
            <text>Show this code at the gate.</text>
          </view>
        ) : null}
        <text id="status">{`Booking ${b.status}`}</text>
        {order ? (
          <view id="order" class="card">
            <text id="paid">{`Paid ${yuan(order.paidAmount)} of ${yuan(order.amount)}${order.discountAmount ? ` (saved ${yuan(order.discountAmount)})` : ''}`}</text>
            <text id="order-status">{`Order ${order.status}`}</text>
          </view>
        ) : null}
        {refund ? <text id="refund">{`Refund ${yuan(refund.amount)} ${refund.status}`}</text> : null}
        {b.returnCouponId ? <text id="gift">A coupon for your next film is in your wallet.</text> : null}
        {b.status === 'paid' ? (
          data.reminder === 'scheduled' || data.reminder === 'sent' ? (
            <text id="reminder">{data.reminder === 'sent' ? 'Reminder sent' : 'Reminder set: 2 hours before the show'}</text>
          ) : (
            <button id="remind" bindtap="remind">{data.reminder === 'declined' ? 'Remind me after all' : 'Remind me before the show'}</button>
          )
        ) : null}
        {b.refundable ? <button id="refund-btn" type="warn" bindtap="refundTicket">{`Refund (until ${b.refundDeadline})`}</button> : null}
        {b.status === 'paid' && !b.refundable ? <text id="no-refund">{`Refunds closed at ${b.refundDeadline}`}</text> : null}
        <button id="tickets" bindtap="tickets">My tickets</button>
        <button id="home" bindtap="home">Home</button>
        {data.error ? <text id="error" class="error">{data.error}</text> : null}
      </view>
    );
  },
});
