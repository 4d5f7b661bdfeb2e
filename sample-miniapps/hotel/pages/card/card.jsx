import { backend, problem } from '../../api.js';

Page({
  data: { info: null, card: null, error: null, notice: null, busy: false },

  async onLoad() {
    await this.refresh();
  },

  async refresh() {
    try {
      // The card in the bank's card pack is the truth: tell the hotel which one it is, so that it
      // writes the nights and points onto it, and show what the bank then holds.
      const { cards } = await lily.member.card.getCards();
      if (cards.length > 0) {
        const linked = await backend('POST', '/card', { cardId: cards[0].cardId });
        this.setData({ info: linked, card: Object.assign({}, cards[0], { level: linked.card.level, points: linked.card.points }) });
      } else {
        this.setData({ info: await backend('GET', '/card'), card: null });
      }
    } catch (err) {
      this.setData({ error: problem(err) });
    }
  },

  async join() {
    this.setData({ busy: true, error: null, notice: null });
    try {
      const card = await lily.member.card.addCard({ templateId: this.data.info.templateId });
      const linked = await backend('POST', '/card', { cardId: card.cardId });
      this.setData({ info: linked, card: Object.assign({}, card, { level: linked.card.level, points: linked.card.points }) });
      lily.base.ui.showToast({ title: 'Card added to your card pack', icon: 'success' });
    } catch (err) {
      if (err.code === 'INVALID_STATE') this.setData({ notice: 'The card is awaiting the bank’s approval; try again later.' });
      else if (err.code === 'DUPLICATE') await this.refresh();
      else this.setData({ error: problem(err) });
    } finally {
      this.setData({ busy: false });
    }
  },

  render(data) {
    const { info, card } = data;
    return (
      <view id="membership" class="page">
        <text class="title">Membership</text>
        {info ? <text id="standing">{`${info.level} · ${info.nights} night${info.nights === 1 ? '' : 's'} · ${info.points} points · ${info.stays} stay${info.stays === 1 ? '' : 's'}`}</text> : null}
        {card ? (
          <view id="member-card" class="card">
            <text class="subtitle">{card.title}</text>
            <text id="card-level">{`Level ${card.level || '会员 Member'}`}</text>
            <text id="card-points">{`Points ${card.points}`}</text>
            <text id="card-code">{`No. ${card.code}`}</text>
            <qrcode value={card.code} size={120} />
          </view>
        ) : info ? (
          <view id="join-card" class="card">
            <text>Silver after 3 nights, Gold after 10. One point per yuan of your stays. The card lives in your bank app’s card pack.</text>
            <button id="join" type="primary" bindtap="join" loading={data.busy}>Add the card to my card pack</button>
          </view>
        ) : null}
        {data.notice ? <text id="notice" class="notice">{data.notice}</text> : null}
        {data.error ? <text id="error" class="error">{data.error}</text> : null}
      </view>
    );
  },
});
