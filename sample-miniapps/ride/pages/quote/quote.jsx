import { backend, yuan } from '../../api.js';

Page({
  data: { quoteId: '', fare: 0, deposit: 0, to: '', ride: null, holdAuthorized: false, agreement: false, error: null },

  async onLoad(query) {
    const session = getApp().globalData.session;
    this.setData({
      quoteId: query.quoteId,
      fare: Number(query.fare) || 0,
      deposit: Number(query.deposit) || 0,
      to: query.to || '',
      agreement: Boolean(session && session.agreement),
    });
    // The back end books the ride and creates the deposit hold now, so that the tap on
    // "Authorize deposit" can open the bank's sheet at once (payments need a direct user tap).
    try {
      this.setData({ ride: await backend('POST', '/rides', { quoteId: query.quoteId }) });
    } catch (err) {
      this.setData({ error: err.message });
    }
  },

  async authorize() {
    this.setData({ error: null });
    const ride = this.data.ride;
    if (!ride) return;
    try {
      // The bank's sheet shows the amount and asks for the PIN; the mini-app never sees it.
      const hold = await lily.payment.deposit.authorizeHold({ holdId: ride.holdId });
      this.setData({ holdAuthorized: hold.status === 'held' });
      lily.base.ui.showToast({ title: 'Deposit held', icon: 'success' });
    } catch (err) {
      this.setData({ error: err.code === 'USER_CANCELLED' ? 'The deposit was not authorized.' : err.message });
    }
  },

  async signAgreement() {
    this.setData({ error: null });
    try {
      const agreement = await lily.payment.agreement.signAgreement({ scene: 'ride', perChargeLimit: 30000, dailyLimit: 100000 });
      await backend('POST', '/rides/' + this.data.ride.rideId + '/agreement', { agreementId: agreement.agreementId });
      getApp().globalData.session.agreement = true;
      this.setData({ agreement: true });
    } catch (err) {
      this.setData({ error: err.code === 'USER_CANCELLED' ? 'Without the agreement the fare is taken from the deposit.' : err.message });
    }
  },

  async start() {
    this.setData({ error: null });
    try {
      const ride = await backend('POST', '/rides/' + this.data.ride.rideId + '/start', { holdStatus: 'held' });
      lily.base.navigate.redirectTo({ url: 'pages/ride/ride?rideId=' + ride.rideId + '&to=' + encodeURIComponent(this.data.to) });
    } catch (err) {
      this.setData({ error: err.message });
    }
  },

  render(data) {
    return (
      <view id="confirm" class="page">
        <text class="title">{`To ${data.to}`}</text>
        <text id="fare">{`Estimated fare ${yuan(data.fare)}`}</text>
        <view class="step">
          <text>{`1. Deposit ${yuan(data.deposit)}`}</text>
          {data.holdAuthorized ? <badge id="held">held</badge> : <button id="authorize" bindtap="authorize" type="primary" disabled={!data.ride}>Authorize deposit</button>}
        </view>
        <view class="step">
          <text>2. Password-free payment (up to ¥300 a ride)</text>
          {data.agreement ? (
            <badge id="agreement">signed</badge>
          ) : (
            <button id="sign" bindtap="signAgreement" disabled={!data.ride}>Sign agreement</button>
          )}
        </view>
        <button id="start" type="primary" bindtap="start" disabled={!data.holdAuthorized}>Call the car</button>
        {data.error ? <text id="error" class="error">{data.error}</text> : null}
      </view>
    );
  },
});
