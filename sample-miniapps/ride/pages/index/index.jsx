import { backend, yuan } from '../../api.js';

const PLACES = [
  { id: 'bund', name: '外滩 The Bund' },
  { id: 'lujiazui', name: '陆家嘴 Lujiazui' },
  { id: 'jingan', name: '静安寺 Jing’an Temple' },
  { id: 'hongqiao', name: '虹桥机场 Hongqiao Airport' },
];

Page({
  data: { rider: null, agreement: false, pickup: null, destination: null, quote: null, error: null, busy: false },

  onShow() {
    const session = getApp().globalData.session;
    if (session) this.setData({ rider: session.rider, agreement: session.agreement });
  },

  async login() {
    this.setData({ busy: true, error: null });
    try {
      const { code } = await lily.member.login.login();
      const s = await backend('POST', '/session', { code });
      getApp().globalData.session = s;
      this.setData({ rider: s.rider, agreement: s.agreement });
    } catch (err) {
      this.setData({ error: err.message || String(err) });
    } finally {
      this.setData({ busy: false });
    }
  },

  async locate() {
    this.setData({ error: null });
    try {
      const fix = await lily.base.location.getLocation({ type: 'wgs84' });
      this.setData({ pickup: { latitude: fix.latitude, longitude: fix.longitude }, quote: null });
    } catch (err) {
      this.setData({ error: err.code === 'CONSENT_DENIED' || err.code === 'USER_CANCELLED' ? 'Location is needed to find your pick-up point.' : err.message });
    }
  },

  pick(e) {
    this.setData({ destination: e.currentTarget.dataset.place, quote: null });
  },

  async estimate() {
    const { pickup, destination } = this.data;
    if (!pickup || !destination) return;
    this.setData({ busy: true, error: null });
    try {
      const quote = await backend('POST', '/quotes', { from: pickup, to: destination });
      this.setData({ quote });
    } catch (err) {
      this.setData({ error: err.message });
    } finally {
      this.setData({ busy: false });
    }
  },

  book() {
    const { quote } = this.data;
    if (!quote) return;
    lily.base.navigate.navigateTo({ url: 'pages/quote/quote?quoteId=' + quote.quoteId + '&fare=' + quote.fare + '&deposit=' + quote.deposit + '&to=' + encodeURIComponent(quote.to.name) });
  },

  render(data) {
    if (!data.rider) {
      return (
        <view id="welcome" class="page">
          <text class="title">快行出行</text>
          <text>Rides across Shanghai, paid by your bank.</text>
          <button id="login" type="primary" bindtap="login" loading={data.busy}>Log in with your bank</button>
          {data.error ? <text id="error" class="error">{data.error}</text> : null}
        </view>
      );
    }
    return (
      <view id="home" class="page">
        <text id="rider">{`Rider ${data.rider}${data.agreement ? ' · password-free pay on' : ''}`}</text>
        <button id="locate" bindtap="locate">{data.pickup ? 'Pick-up located' : 'Use my location'}</button>
        {data.pickup ? <text id="pickup">{`Pick-up ${data.pickup.latitude.toFixed(4)}, ${data.pickup.longitude.toFixed(4)}`}</text> : null}
        <text class="label">Where to?</text>
        <list id="places">
          {PLACES.map((p) => (
            <list-item key={p.id}>
              <button bindtap="pick" data-place={p.id} type={data.destination === p.id ? 'primary' : 'default'}>{p.name}</button>
            </list-item>
          ))}
        </list>
        <button id="estimate" bindtap="estimate" disabled={!data.pickup || !data.destination} loading={data.busy}>Estimate fare</button>
        {data.quote ? (
          <view id="quote" class="card">
            <text>{`To ${data.quote.to.name}: ${data.quote.distanceKm} km, about ${data.quote.minutes} min`}</text>
            <text id="fare">{`Fare ${yuan(data.quote.fare)}`}</text>
            <text>{`Deposit ${yuan(data.quote.deposit)} (released after the ride)`}</text>
            <button id="book" type="primary" bindtap="book">Book this ride</button>
          </view>
        ) : null}
        {data.error ? <text id="error" class="error">{data.error}</text> : null}
      </view>
    );
  },
});
