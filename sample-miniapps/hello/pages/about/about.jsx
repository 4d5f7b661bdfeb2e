function Row({ label, value }) {
  return (
    <view class="row">
      <text class="label">{label}</text>
      <text>{value}</text>
    </view>
  );
}

Page({
  data: { from: '', hostVersion: '…' },

  async onLoad(query) {
    this.setData({ from: query.from || 'launch' });
    const info = await lily.base.system.getSystemInfo();
    this.setData({ hostVersion: info.hostVersion });
  },

  back() {
    lily.base.navigate.navigateBack();
  },

  render(data) {
    return (
      <view id="about">
        <image src="assets/icon.png" mode="aspectFit" alt="Hello Lily" />
        <Row label="Opened from" value={data.from} />
        <Row label="Host version" value={data.hostVersion} />
        <>
          <divider />
          <button bindtap="back">Back</button>
        </>
      </view>
    );
  },
});
