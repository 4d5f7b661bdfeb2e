import { backend, problem, when, yuan } from '../../api.js';

Page({
  data: { ticketId: '', ticket: null, order: null, plans: [], paying: false, error: null },

  async onLoad(query) {
    this.setData({ ticketId: query.ticketId || '' });
    try {
      this.setData({ ticket: await backend('GET', '/tickets/' + query.ticketId) });
      // The order is created now, so that the tap on "Pay" opens the bank's cashier at once.
      const order = await backend('POST', '/tickets/' + query.ticketId + '/order');
      this.setData({ order });
      const { plans } = await lily.payment.installment.getInstallmentPlans({ amount: order.amount });
      this.setData({ plans });
    } catch (err) {
      this.setData({ error: problem(err) });
    }
  },

  async pay() {
    const order = this.data.order;
    if (!order || this.data.paying) return;
    this.setData({ paying: true, error: null });
    try {
      // The cashier shows the amount and the merchant, offers the credit card's installment plans
      // and asks for the PIN; the mini-app only learns the outcome.
      const paid = await lily.payment.cashier.requestPayment({ prepayId: order.prepayId });
      const ticket = await backend('POST', '/tickets/' + this.data.ticketId + '/paid');
      lily.base.ui.showToast({ title: 'Ticket issued', icon: 'success' });
      lily.base.navigate.redirectTo({ url: 'pages/ticket/ticket?ticketId=' + ticket.ticketId + '&installments=' + (paid.installments || 0) + '&method=' + paid.payMethod });
    } catch (err) {
      this.setData({ error: err.code === 'USER_CANCELLED' ? 'Payment cancelled: your seat is kept while the order is open.' : problem(err) });
    } finally {
      this.setData({ paying: false });
    }
  },

  render(data) {
    const { ticket, order, plans } = data;
    return (
      <view id="pay" class="page">
        <text class="title">Pay for your ticket</text>
        {ticket ? (
          <view class="card">
            <text>{ticket.title}</text>
            <text>{`${ticket.venue} · ${when(ticket.startsAt)}`}</text>
            <text id="seat">{ticket.seat}</text>
            {ticket.holder ? <text id="pay-holder">{`Holder ${ticket.holder.maskedName} · ${ticket.holder.maskedIdNumber}`}</text> : null}
          </view>
        ) : null}
        {order ? <text id="amount">{`Total ${yuan(order.amount)}`}</text> : null}
        {plans.length ? (
          <view id="plans" class="card">
            <text class="label">Pay by credit card in installments (choose in the bank’s cashier):</text>
            {plans.map((p) => (
              <text key={'p' + p.periods} id={'plan-' + p.periods}>
                {`${p.periods} × ${yuan(p.perPeriodAmount)} ${p.interestFree ? 'interest-free' : '+ fee ' + yuan(p.feeTotalAmount)}`}
              </text>
            ))}
          </view>
        ) : null}
        <text id="escrow-note">Your money is held by the bank in supervised escrow and reaches the organiser only after the show.</text>
        <button id="payButton" type="primary" bindtap="pay" disabled={!order} loading={data.paying}>
          {order ? `Pay ${yuan(order.amount)}` : 'Preparing the order…'}
        </button>
        {data.error ? <text id="error" class="error">{data.error}</text> : null}
      </view>
    );
  },
});
