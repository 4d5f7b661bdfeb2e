import { backend, yuan } from '../../api.js';

Page({
  data: { ride: null, order: null, points: null, error: null },

  async onLoad(query) {
    try {
      const ride = await backend('GET', '/rides/' + query.rideId);
      this.setData({ ride });
      const orderId = query.orderId || ride.orderId;
      if (orderId) this.setData({ order: await lily.payment.orders.getOrder({ orderId }) });
      this.setData({ points: await lily.member.points.getPoints() });
    } catch (err) {
      this.setData({ error: err.message });
    }
  },

  home() {
    lily.base.navigate.reLaunch({ url: 'pages/index/index' });
  },

  render(data) {
    const { ride, order, points } = data;
    return (
      <view id="receipt" class="page">
        <text class="title">Receipt</text>
        {ride ? <text id="trip">{`${ride.distanceKm} km to ${ride.to.name}`}</text> : null}
        {order ? (
          <view id="order" class="card">
            <text id="order-amount">{`Paid ${yuan(order.amount)}`}</text>
            <text id="order-status">{`Order ${order.status}`}</text>
            <text>{order.description}</text>
          </view>
        ) : null}
        {ride ? <text id="deposit">{`Deposit ${yuan(ride.deposit)}: ${ride.holdStatus}`}</text> : null}
        {ride && ride.points ? <text id="earned">{`Earned ${ride.points} points`}</text> : null}
        {points ? <text id="balance">{`Points balance ${points.balance}`}</text> : null}
        {data.error ? <text id="error" class="error">{data.error}</text> : null}
        <button id="home" bindtap="home">Book another ride</button>
      </view>
    );
  },
});
