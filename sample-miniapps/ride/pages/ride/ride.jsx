import { backend, yuan } from '../../api.js';

const STEPS = ['Driver assigned: 沪A·D1234, Master Chen', 'Driver arriving', 'On the way', 'Almost there', 'Arrived'];

Page({
  data: { rideId: '', to: '', step: 0, done: false, ride: null, error: null },

  onLoad(query) {
    this.setData({ rideId: query.rideId, to: query.to || '' });
    // The trip is simulated by a timer: one step every tickMs.
    this.timer = setInterval(() => this.tick(), getApp().globalData.tickMs);
  },

  onUnload() {
    if (this.timer) clearInterval(this.timer);
  },

  tick() {
    if (this.data.done) return;
    const step = this.data.step + 1;
    this.setData({ step });
    if (step >= STEPS.length - 1) {
      clearInterval(this.timer);
      this.timer = null;
      this.finish();
    }
  },

  async finish() {
    try {
      const ride = await backend('POST', '/rides/' + this.data.rideId + '/finish');
      this.setData({ done: true, ride });
    } catch (err) {
      this.setData({ error: err.message });
    }
  },

  async cancel() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    try {
      const ride = await backend('POST', '/rides/' + this.data.rideId + '/cancel');
      this.setData({ done: true, ride });
    } catch (err) {
      this.setData({ error: err.message });
    }
  },

  rate() {
    lily.base.navigate.redirectTo({ url: 'pages/rate/rate?rideId=' + this.data.rideId + '&orderId=' + (this.data.ride.orderId || '') });
  },

  render(data) {
    const ride = data.ride;
    return (
      <view id="trip" class="page">
        <text class="title">{`To ${data.to}`}</text>
        <progress id="progress" percent={Math.round((data.step / (STEPS.length - 1)) * 100)} />
        <text id="status">{STEPS[Math.min(data.step, STEPS.length - 1)]}</text>
        {ride ? (
          <view id="summary" class="card">
            <text id="ride-status">{`Ride ${ride.status}`}</text>
            <text id="charged">{`Paid ${yuan(ride.charged)} ${ride.payment === 'agreement' ? 'password-free' : 'from the deposit'}`}</text>
            <text id="deposit">{`Deposit ${ride.holdStatus}`}</text>
            {ride.points ? <text id="points">{`+${ride.points} bank points`}</text> : null}
            <button id="rate" type="primary" bindtap="rate">Rate your driver</button>
          </view>
        ) : (
          <button id="cancel" bindtap="cancel">Cancel ride</button>
        )}
        {data.error ? <text id="error" class="error">{data.error}</text> : null}
      </view>
    );
  },
});
