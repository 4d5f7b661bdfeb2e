Page({
  data: { rideId: '', orderId: '', stars: 0, comment: '', saved: false, shared: null, history: 0 },

  async onLoad(query) {
    this.setData({ rideId: query.rideId, orderId: query.orderId || '' });
    const ratings = await lily.base.storage.getStorage({ key: 'ratings' }).then((r) => r.data || [], () => []);
    this.setData({ history: ratings.length });
  },

  star(e) {
    this.setData({ stars: Number(e.currentTarget.dataset.stars) });
  },

  onComment(e) {
    this.setData({ comment: String(e.detail.value || '').slice(0, 140) });
  },

  async save() {
    if (!this.data.stars) return;
    const ratings = await lily.base.storage.getStorage({ key: 'ratings' }).then((r) => r.data || [], () => []);
    ratings.push({ rideId: this.data.rideId, stars: this.data.stars, comment: this.data.comment });
    await lily.base.storage.setStorage({ key: 'ratings', data: ratings.slice(-20) });
    this.setData({ saved: true, history: ratings.length });
    lily.base.ui.showToast({ title: 'Thanks for rating', icon: 'success' });
  },

  async share() {
    try {
      const { shareCode } = await lily.marketing.share.share({ title: '快行出行: your first ride is on me', path: 'pages/index/index' });
      this.setData({ shared: shareCode });
    } catch (err) {
      if (err.code !== 'USER_CANCELLED') lily.base.ui.showToast({ title: 'Sharing failed', icon: 'error' });
    }
  },

  receipt() {
    lily.base.navigate.navigateTo({ url: 'pages/receipt/receipt?rideId=' + this.data.rideId + '&orderId=' + this.data.orderId });
  },

  render(data) {
    return (
      <view id="rate" class="page">
        <text class="title">How was Master Chen?</text>
        <view class="row">
          {[1, 2, 3, 4, 5].map((n) => (
            <button key={'s' + n} bindtap="star" data-stars={n} size="mini" aria-label={n === 1 ? '1 star' : n + ' stars'} type={n <= data.stars ? 'primary' : 'default'}>
              {n <= data.stars ? '★' : '☆'}
            </button>
          ))}
        </view>
        <input id="comment" bindinput="onComment" value={data.comment} placeholder="Anything to add?" />
        {data.saved ? <text id="saved">{`Rated ${data.stars} stars · ${data.history} ratings saved`}</text> : <button id="save" bindtap="save" disabled={!data.stars}>Submit rating</button>}
        <button id="share" bindtap="share">Invite a friend</button>
        {data.shared ? <text id="shared">{`Shared, code ${data.shared}`}</text> : null}
        <button id="receipt" type="primary" bindtap="receipt">Receipt</button>
      </view>
    );
  },
});
