import { BACKEND } from '../../config.ts';

const yuan = (fen) => '¥' + (fen / 100).toFixed(2);
const describe = (err) => (err && err.code ? `${err.code}: ${err.message}` : String(err));

/** Calls your back end through the bank (base.request); rejects with {code, message} on an error answer. */
async function backend(method, path, data) {
  const res = await lily.base.request.request({ url: BACKEND + path, method, data });
  if (res.statusCode >= 400) throw res.data && res.data.code ? res.data : { code: 'HTTP_' + res.statusCode, message: 'The shop answered ' + res.statusCode };
  return res.data;
}

Page({
  data: { order: null, paid: null, receipt: null, seen: null, error: null, busy: true },

  onLoad() {
    return this.newOrder();
  },

  // The back end creates the order at the bank before the tap on Pay: the cashier opens only
  // on a direct tap, so nothing may be awaited between the tap and requestPayment.
  async newOrder() {
    this.setData({ order: null, paid: null, receipt: null, seen: null, error: null, busy: true });
    try {
      const { code } = await lily.member.login.login();
      this.setData({ order: await backend('POST', '/orders', { code }) });
    } catch (err) {
      this.setData({ error: describe(err) });
    } finally {
      this.setData({ busy: false });
    }
  },

  async pay() {
    const order = this.data.order;
    if (!order || this.data.busy) return;
    this.setData({ busy: true, error: null });
    try {
      // The bank's cashier shows the amount and asks for the PIN; the mini-app never sees either.
      const paid = await lily.payment.cashier.requestPayment({ prepayId: order.prepayId });
      this.setData({ paid });
      // The receipt, from the bank's records of this user's orders in this app.
      this.setData({ receipt: await lily.payment.orders.getOrder({ orderId: order.orderId }) });
      // Proof of payment for your business comes from the bank through your back end, never from the mini-app.
      const seen = await backend('GET', '/orders/' + order.orderId);
      this.setData({ seen: seen.status });
    } catch (err) {
      this.setData({ error: err.code === 'USER_CANCELLED' ? 'Payment cancelled.' : describe(err) });
    } finally {
      this.setData({ busy: false });
    }
  },

  render(data) {
    const order = data.order;
    return (
      <view id="shop" class="page">
        <text class="title">{order ? order.description : 'Your order'}</text>
        {order ? <text id="amount">{yuan(order.amount)}</text> : null}
        {data.paid ? <text id="paid">{`Paid ${yuan(data.paid.paidAmount)}`}</text> : null}
        {!data.paid && order ? (
          <button id="pay" type="primary" bindtap="pay" disabled={data.busy}>
            {`Pay ${yuan(order.amount)}`}
          </button>
        ) : null}
        {!order && data.busy ? <text id="loading">Getting your order ready…</text> : null}
        {data.receipt ? <text id="receipt">{`Receipt ${data.receipt.orderId}: ${data.receipt.status}`}</text> : null}
        {data.seen ? <text id="seen">{`Our server sees the order as ${data.seen}`}</text> : null}
        {data.paid || (!order && !data.busy) ? <button id="again" bindtap="newOrder">New order</button> : null}
        {data.error ? <text id="error" class="error">{data.error}</text> : null}
      </view>
    );
  },
});
