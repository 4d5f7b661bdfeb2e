import { backend, problem, when, yuan } from '../../api.js';

const STATUS = {
  won: 'won · name the holder',
  verified: 'holder verified · to pay',
  issued: 'issued',
  completed: 'show over',
  refunded: 'refunded',
  cancelled: 'cancelled',
};

Page({
  data: { tickets: [], orders: {}, error: null, loaded: false },

  async onShow() {
    try {
      const { tickets } = await backend('GET', '/tickets');
      // The bank's list of this app's orders for this user: the paid amount of each ticket.
      const { orders } = await lily.payment.orders.listOrders({ limit: 50 });
      const byId = {};
      for (const o of orders) byId[o.orderId] = o;
      this.setData({ tickets, orders: byId, loaded: true, error: null });
    } catch (err) {
      this.setData({ error: problem(err), loaded: true });
    }
  },

  open(e) {
    const t = this.data.tickets.find((x) => x.ticketId === e.currentTarget.dataset.ticket);
    if (!t) return;
    if (t.status === 'won') lily.base.navigate.navigateTo({ url: 'pages/holder/holder?ticketId=' + t.ticketId });
    else if (t.status === 'verified') lily.base.navigate.navigateTo({ url: 'pages/pay/pay?ticketId=' + t.ticketId });
    else lily.base.navigate.navigateTo({ url: 'pages/ticket/ticket?ticketId=' + t.ticketId });
  },

  back() {
    lily.base.navigate.navigateBack({ delta: 1 });
  },

  render(data) {
    return (
      <view id="my-tickets" class="page">
        <text class="title">My tickets</text>
        {data.loaded && data.tickets.length === 0 ? <text id="empty">No tickets yet.</text> : null}
        <list id="tickets">
          {data.tickets.map((t) => {
            const order = t.orderId ? data.orders[t.orderId] : null;
            return (
              <list-item key={t.ticketId}>
                <view class="card">
                  <text>{t.title}</text>
                  <text>{`${when(t.startsAt)} · ${t.seat}`}</text>
                  <text class="ticket-line">{`${STATUS[t.status] || t.status}${order ? ` · order ${order.status} ${yuan(order.paidAmount || order.amount)}` : ''}`}</text>
                  <button bindtap="open" data-ticket={t.ticketId} size="mini">Open</button>
                </view>
              </list-item>
            );
          })}
        </list>
        <button id="back" bindtap="back">Back</button>
        {data.error ? <text id="error" class="error">{data.error}</text> : null}
      </view>
    );
  },
});
