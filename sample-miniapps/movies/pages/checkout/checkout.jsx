import { backend, problem, yuan } from '../../api.js';

Page({
  data: { booking: null, stocks: [], coupons: [], campaigns: [], error: null, paying: false },

  async onLoad(query) {
    // The back end creates the order at the bank now, so that the tap on "Pay" can open the
    // bank's cashier at once (payments need a direct user tap).
    try {
      const booking = await backend('POST', '/bookings', { lockId: query.lockId });
      this.setData({ booking });
      await this.loadOffers();
    } catch (err) {
      this.setData({ error: problem(err) });
    }
  },

  async loadOffers() {
    const amount = this.data.booking.amount;
    const [available, mine, campaigns] = await Promise.all([
      lily.marketing.coupons.listAvailableCoupons({}),
      lily.marketing.coupons.listMyCoupons({ status: 'available' }),
      lily.marketing.campaigns.listCampaigns({ amount }),
    ]);
    this.setData({ stocks: available.stocks, coupons: mine.coupons, campaigns: campaigns.campaigns });
  },

  async claim(e) {
    const stockId = e.currentTarget.dataset.stock;
    try {
      const coupon = await lily.marketing.coupons.claimCoupon({ stockId });
      lily.base.ui.showToast({ title: `Claimed ${coupon.title}`.slice(0, 40), icon: 'success' });
    } catch (err) {
      this.setData({ error: err.code === 'LIMIT_EXCEEDED' ? 'You already hold this coupon.' : err.code === 'INVALID_STATE' ? 'This coupon has run out.' : problem(err) });
    }
    await this.loadOffers();
  },

  async pay() {
    const booking = this.data.booking;
    if (!booking || !booking.prepayId || this.data.paying) return;
    this.setData({ paying: true, error: null });
    try {
      // The bank's cashier shows the amount, applies the coupon or bank discount and asks for the PIN.
      const paid = await lily.payment.cashier.requestPayment({ prepayId: booking.prepayId });
      await backend('POST', '/bookings/' + booking.bookingId + '/confirm');
      lily.base.ui.showToast({ title: `Paid ${yuan(paid.paidAmount)}`, icon: 'success' });
      lily.base.navigate.redirectTo({ url: 'pages/ticket/ticket?bookingId=' + booking.bookingId });
    } catch (err) {
      const held = new Date(booking.expiresAt + 8 * 3600 * 1000).toISOString().slice(11, 16);
      this.setData({ error: err.code === 'USER_CANCELLED' ? `Payment cancelled. Your seats are held until ${held}.` : problem(err) });
    } finally {
      this.setData({ paying: false });
    }
  },

  async cancel() {
    const booking = this.data.booking;
    try {
      if (booking) await backend('POST', '/bookings/' + booking.bookingId + '/cancel');
      lily.base.navigate.navigateBack();
    } catch (err) {
      this.setData({ error: problem(err) });
    }
  },

  render(data) {
    const b = data.booking;
    if (!b) {
      return (
        <view id="checkout" class="page">
          {data.error ? <text id="error" class="error">{data.error}</text> : <text>Reserving your seats…</text>}
          <button id="back" bindtap="cancel">Back to seats</button>
        </view>
      );
    }
    const best = data.coupons.filter((c) => c.thresholdAmount <= b.amount).sort((x, y) => y.discountAmount - x.discountAmount)[0];
    return (
      <view id="checkout" class="page">
        <text class="title">{b.film.title}</text>
        <text id="show">{`${b.showtime.label} · ${b.showtime.hall} · seats ${b.seats.join(' ')}`}</text>
        <text id="amount">{`${b.seats.length} × ${yuan(b.price)} = ${yuan(b.amount)}`}</text>
        <text id="held">{`Seats held until ${new Date(b.expiresAt + 8 * 3600 * 1000).toISOString().slice(11, 16)}`}</text>
        {data.stocks.length ? (
          <view id="stocks" class="card">
            <text class="label">Coupons to claim</text>
            {data.stocks.map((s) => (
              <view key={s.stockId} class="row" style="display: flex; align-items: center; justify-content: space-between">
                <text>{s.title}</text>
                <button size="mini" bindtap="claim" data-stock={s.stockId}>Claim</button>
              </view>
            ))}
          </view>
        ) : null}
        <view id="my-coupons" class="card">
          <text class="label">My coupons</text>
          {data.coupons.length ? data.coupons.map((c) => <text key={c.couponId}>{`${c.title} (−${yuan(c.discountAmount)} over ${yuan(c.thresholdAmount)})`}</text>) : <text>None yet</text>}
          {best ? <text id="best">{`Choose ${best.title} in the bank's cashier to save ${yuan(best.discountAmount)}`}</text> : null}
        </view>
        {data.campaigns.length ? (
          <view id="bank-offers" class="card">
            {data.campaigns.map((c) => (
              <text key={c.campaignId}>{`Bank offer: ${c.title} (applied by the cashier when no coupon is used)`}</text>
            ))}
          </view>
        ) : null}
        <button id="pay" type="primary" bindtap="pay" loading={data.paying} disabled={!b.prepayId}>{`Pay ${yuan(b.amount)}`}</button>
        <button id="cancel" bindtap="cancel">Cancel and release seats</button>
        {data.error ? <text id="error" class="error">{data.error}</text> : null}
      </view>
    );
  },
});
