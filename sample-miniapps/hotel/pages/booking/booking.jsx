import { backend, problem, STATUS, yuan } from '../../api.js';

Page({
  data: { bookingId: '', b: null, order: null, refund: null, error: null, busy: false },

  async onLoad(query) {
    this.setData({ bookingId: query.bookingId });
    await this.refresh();
  },

  /** Shows the booking (`b` when the back end just answered with it) and what the bank recorded. */
  async refresh(b) {
    try {
      if (!b) b = await backend('GET', '/bookings/' + this.data.bookingId);
      this.setData({ b });
      // What the bank recorded: the payment of the stay and the refund of a cancellation.
      const orderId = b.checkout && b.checkout.status === 'paid' ? b.checkout.orderId : b.captureOrderId || (b.prepay && b.prepay.status === 'paid' ? b.prepay.orderId : null);
      if (orderId) this.setData({ order: await lily.payment.orders.getOrder({ orderId }) });
      if (b.cancellation && b.cancellation.refundId) this.setData({ refund: await lily.payment.refund.getRefund({ refundId: b.cancellation.refundId }) });
    } catch (err) {
      this.setData({ error: problem(err) });
    }
  },

  async call() {
    try {
      await lily.base.phone.makePhoneCall({ phoneNumber: this.data.b.hotel.phone });
    } catch (err) {
      if (problem(err)) lily.base.ui.showToast({ title: 'Cannot call from here', icon: 'error' });
    }
  },

  async cancel() {
    const b = this.data.b;
    const p = b.policy;
    const prepaid = b.rate === 'prepaid';
    let content;
    if (b.status === 'pending') content = 'Nothing has been charged: the room goes back and any deposit is released.';
    else if (p.feeNow === 0) content = prepaid ? `Free cancellation: ${yuan(p.refundNow)} is refunded in full and the deposit released.` : 'Free cancellation: your deposit is released in full.';
    else content = prepaid
      ? `Late cancellation (free until ${p.freeUntil}): ${yuan(p.feeNow)} is kept and ${yuan(p.refundNow)} refunded; the deposit is released.`
      : `Late cancellation (free until ${p.freeUntil}): ${yuan(p.feeNow)} is taken from your deposit and the rest released.`;
    const answer = await lily.base.ui.showModal({ title: 'Cancel this booking?', content, confirmText: '取消预订', cancelText: '再想想' });
    if (!answer.confirm) return;
    this.setData({ busy: true, error: null });
    try {
      lily.base.ui.showToast({ title: 'Booking cancelled', icon: 'success' });
      await this.refresh(await backend('POST', '/bookings/' + b.bookingId + '/cancel'));
    } catch (err) {
      this.setData({ error: problem(err) });
    } finally {
      this.setData({ busy: false });
    }
  },

  async checkOut(e) {
    const method = e.currentTarget.dataset.method;
    this.setData({ busy: true, error: null });
    try {
      const b = await backend('POST', '/bookings/' + this.data.b.bookingId + '/checkout', { method });
      if (b.status === 'checked_out') lily.base.ui.showToast({ title: 'Checked out. Thank you!', icon: 'success' });
      await this.refresh(b);
    } catch (err) {
      this.setData({ error: problem(err) });
    } finally {
      this.setData({ busy: false });
    }
  },

  async payStay() {
    this.setData({ error: null });
    try {
      await lily.payment.cashier.requestPayment({ prepayId: this.data.b.checkout.prepayId });
      const b = await backend('POST', '/bookings/' + this.data.b.bookingId + '/checkout/confirm');
      lily.base.ui.showToast({ title: 'Paid. Thank you!', icon: 'success' });
      await this.refresh(b);
    } catch (err) {
      this.setData({ error: err.code === 'USER_CANCELLED' ? 'The stay was not paid; you can also pay from the deposit.' : problem(err) });
    }
  },

  card() {
    lily.base.navigate.navigateTo({ url: 'pages/card/card' });
  },

  bookings() {
    lily.base.navigate.redirectTo({ url: 'pages/bookings/bookings' });
  },

  home() {
    lily.base.navigate.reLaunch({ url: 'pages/index/index' });
  },

  render(data) {
    const b = data.b;
    if (!b) {
      return (
        <view id="booking" class="page">
          <text class="title">Booking</text>
          {data.error ? <text id="error" class="error">{data.error}</text> : <text>Loading…</text>}
        </view>
      );
    }
    const extras = b.extras.reduce((a, x) => a + x.amount, 0);
    return (
      <view id="booking" class="page">
        <text class="title">{b.hotel.name}</text>
        <text id="status">{`${STATUS[b.status] || b.status} · ${b.bookingId}`}</text>
        <text id="stay">{`${b.room.name} · ${b.checkIn} → ${b.checkOut} · ${b.nights} night${b.nights > 1 ? 's' : ''}`}</text>
        <text id="guest">{`${b.guestName} · ${b.phone}`}</text>
        <view class="card">
          <text id="rate">{b.rate === 'prepaid' ? `Prepaid ${yuan(b.roomTotal)}${b.prepay && b.prepay.status === 'paid' ? ' · paid' : ''}` : `Pay at hotel ${yuan(b.roomTotal)}`}</text>
          <text id="deposit">{`Deposit ${yuan(b.deposit)}: ${b.holdStatus}`}</text>
          {b.extras.map((x, i) => <text key={'x' + i}>{`${x.item} ${yuan(x.amount)}`}</text>)}
          {b.status === 'checked_out' ? <text id="charged">{`Stay charged ${yuan(b.charged)} (${b.settlement === 'deposit' ? 'from the deposit, the rest released' : b.settlement === 'cashier' ? 'paid in the cashier, deposit released' : 'prepaid' + (extras ? ' + extras from the deposit' : '')})`}</text> : null}
          {b.cancellation ? <text id="cancellation">{`Cancelled: fee ${yuan(b.cancellation.fee)}${b.cancellation.refunded ? ', refunded ' + yuan(b.cancellation.refunded) : ''}`}</text> : null}
        </view>
        {data.order ? <text id="order">{`Payment ${yuan(data.order.paidAmount)} · ${data.order.status}${data.order.refundedAmount ? ' · refunded ' + yuan(data.order.refundedAmount) : ''}`}</text> : null}
        {data.refund ? <text id="refund">{`Refund ${yuan(data.refund.amount)} ${data.refund.status}`}</text> : null}
        {b.invoice ? <text id="fapiao">{b.invoice.number ? `Fapiao ${b.invoice.number} to ${b.invoice.title} · ${yuan(b.invoice.amount)}` : `Fapiao to ${b.invoice.title} at check-out`}</text> : null}
        {b.earned ? <text id="earned">{`+${b.earned.nights} night${b.earned.nights > 1 ? 's' : ''} and +${b.earned.points} points on your membership`}</text> : null}
        {b.status === 'confirmed' || b.status === 'pending' ? <text id="policy">{`Free cancellation until ${b.policy.freeUntil}, then ${b.policy.lateFeePct}%`}</text> : null}
        <button id="call" bindtap="call">{`Call the hotel ${b.hotel.phone}`}</button>
        {b.canCheckOut && !b.checkout ? (
          b.rate === 'flexible' ? (
            <view id="checkout" class="row">
              <button id="checkout-deposit" type="primary" bindtap="checkOut" data-method="deposit" loading={data.busy}>{`Check out: pay ${yuan(b.roomTotal + extras)} from the deposit`}</button>
              <button id="checkout-cashier" bindtap="checkOut" data-method="cashier">Check out: pay in the cashier</button>
            </view>
          ) : (
            <button id="checkout-prepaid" type="primary" bindtap="checkOut" data-method="deposit" loading={data.busy}>Check out</button>
          )
        ) : null}
        {b.checkout && b.checkout.status !== 'paid' && b.status === 'confirmed' ? <button id="pay-stay" type="primary" bindtap="payStay">{`Pay ${yuan(b.checkout.amount)}`}</button> : null}
        {b.policy.canCancel && !b.checkout ? <button id="cancel" type="warn" bindtap="cancel" loading={data.busy}>Cancel booking</button> : null}
        {b.status === 'checked_out' ? <button id="card" bindtap="card">Membership card</button> : null}
        <button id="bookings" bindtap="bookings">My bookings</button>
        <button id="home" bindtap="home">New search</button>
        {data.error ? <text id="error" class="error">{data.error}</text> : null}
      </view>
    );
  },
});
