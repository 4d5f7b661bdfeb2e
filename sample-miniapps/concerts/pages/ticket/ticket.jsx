import { backend, problem, when, yuan } from '../../api.js';

const MILESTONE = { pending: 'held by the bank', released: 'paid to the organiser', refunded: 'refunded to you' };

Page({
  data: { ticketId: '', installments: 0, ticket: null, order: null, escrow: null, shared: null, error: null },

  async onLoad(query) {
    this.setData({ ticketId: query.ticketId || '', installments: Number(query.installments) || 0 });
    await this.load();
  },

  async load() {
    try {
      const ticket = await backend('GET', '/tickets/' + this.data.ticketId);
      this.setData({ ticket, error: null });
      if (ticket.orderId) this.setData({ order: await lily.payment.orders.getOrder({ orderId: ticket.orderId }) });
      // The bank's own view of the supervised money, not the organiser's word for it.
      if (ticket.escrowId) this.setData({ escrow: await lily.payment.escrow.viewEscrow({ escrowId: ticket.escrowId }) });
    } catch (err) {
      this.setData({ error: problem(err) });
    }
  },

  async share() {
    const t = this.data.ticket;
    try {
      const { shareCode } = await lily.marketing.share.share({ title: ('I’m going to ' + t.title).slice(0, 40), path: 'pages/show/show?showId=' + t.showId });
      this.setData({ shared: shareCode });
    } catch (err) {
      if (err.code !== 'USER_CANCELLED') lily.base.ui.showToast({ title: 'Sharing failed', icon: 'error' });
    }
  },

  mine() {
    lily.base.navigate.navigateTo({ url: 'pages/mine/mine' });
  },

  home() {
    lily.base.navigate.reLaunch({ url: 'pages/index/index' });
  },

  render(data) {
    const { ticket, order, escrow } = data;
    if (!ticket) {
      return (
        <view id="ticket" class="page">
          <text>Loading your ticket…</text>
          {data.error ? <text id="error" class="error">{data.error}</text> : null}
        </view>
      );
    }
    return (
      <view id="ticket" class="page">
        <text class="title">{ticket.title}</text>
        <text>{`${ticket.venue} · ${when(ticket.startsAt)}`}</text>
        <text id="seat">{ticket.seat}</text>
        {ticket.holder ? <text id="ticket-holder">{`Holder ${ticket.holder.maskedName} · ${ticket.holder.maskedIdNumber}`}</text> : null}
        <badge id="ticket-status">{ticket.status}</badge>
        {ticket.code ? <qrcode id="code" value={ticket.code} size={180} /> : null}
        {order ? (
          <view id="order" class="card">
            <text id="order-amount">{`Paid ${yuan(order.paidAmount)}${data.installments ? ` in ${data.installments} installments` : ''}`}</text>
            <text id="order-status">{`Order ${order.status}`}</text>
          </view>
        ) : null}
        {escrow ? (
          <view id="escrow" class="card">
            <text id="escrow-status">{`Escrow ${escrow.status}: ${yuan(escrow.totalAmount - escrow.releasedAmount - escrow.refundedAmount)} held by the bank`}</text>
            {escrow.milestones.map((m, i) => (
              <text key={'m' + i} id={'milestone-' + i}>{`${m.name}: ${yuan(m.amount)} ${MILESTONE[m.status]}`}</text>
            ))}
          </view>
        ) : null}
        <button id="share" bindtap="share">Tell friends</button>
        {data.shared ? <text id="shared">{`Shared, code ${data.shared}`}</text> : null}
        <button id="mine" bindtap="mine">My tickets</button>
        <button id="home" bindtap="home">All shows</button>
        {data.error ? <text id="error" class="error">{data.error}</text> : null}
      </view>
    );
  },
});
