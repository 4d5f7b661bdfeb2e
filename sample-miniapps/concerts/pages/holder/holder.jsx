import { backend, problem } from '../../api.js';

Page({
  data: { ticketId: '', ticket: null, bank: null, name: '', idNumber: '', busy: false, error: null },

  async onLoad(query) {
    this.setData({ ticketId: query.ticketId || '' });
    try {
      this.setData({ ticket: await backend('GET', '/tickets/' + query.ticketId) });
    } catch (err) {
      this.setData({ error: problem(err) });
    }
  },

  async check() {
    this.setData({ error: null });
    try {
      // Asks the fan's consent to scope.realName in the bank's sheet; the bank answers a masked name.
      const status = await lily.member.realName.getRealNameStatus();
      this.setData({ bank: status });
      if (!status.verified) this.setData({ error: 'Your bank has not verified your real name yet: complete it in the bank app first.' });
    } catch (err) {
      this.setData({
        error: err.code === 'CONSENT_DENIED' || err.code === 'CONSENT_REQUIRED' || err.code === 'USER_CANCELLED' ? 'Tickets are sold in the holder’s real name: allow the check to continue.' : problem(err),
      });
    }
  },

  onName(e) {
    this.setData({ name: String(e.detail.value || '').slice(0, 40) });
  },

  onId(e) {
    this.setData({ idNumber: String(e.detail.value || '').replace(/\s/g, '').toUpperCase().slice(0, 18) });
  },

  async confirm() {
    const { name, idNumber } = this.data;
    if (!name || idNumber.length !== 18) {
      this.setData({ error: 'Enter the holder’s name and the 18-character ID number.' });
      return;
    }
    this.setData({ busy: true, error: null });
    lily.base.ui.showLoading({ title: 'Asking the bank' });
    try {
      // The back end asks the bank for a yes or no; it keeps only masked forms.
      const ticket = await backend('POST', '/tickets/' + this.data.ticketId + '/holder', { name, idNumber });
      this.setData({ ticket, idNumber: '' });
      lily.base.navigate.redirectTo({ url: 'pages/pay/pay?ticketId=' + ticket.ticketId });
    } catch (err) {
      this.setData({ error: problem(err) });
    } finally {
      lily.base.ui.hideLoading();
      this.setData({ busy: false });
    }
  },

  render(data) {
    const { ticket, bank } = data;
    return (
      <view id="holder-check" class="page">
        <text class="title">Ticket holder</text>
        {ticket ? <text id="seat">{`${ticket.title} · ${ticket.seat}`}</text> : null}
        <text>Tickets are in the holder’s real name and checked at the gate with the ID card.</text>
        {bank ? (
          <view id="bank" class="card">
            <text id="bank-name">{`Your bank knows you as ${bank.maskedName}`}</text>
            <badge>{bank.verified ? `verified (${bank.level})` : 'not verified'}</badge>
          </view>
        ) : (
          <button id="check" type="primary" bindtap="check">Check my real name with the bank</button>
        )}
        {bank && bank.verified ? (
          <form id="holder-form">
            <input id="name" bindinput="onName" value={data.name} placeholder="Name as on the ID card" />
            <input id="idNumber" type="idcard" bindinput="onId" value={data.idNumber} placeholder="18-character ID number" maxlength={18} />
            <button id="confirm" type="primary" bindtap="confirm" loading={data.busy} disabled={data.busy}>Confirm holder</button>
          </form>
        ) : null}
        {data.error ? <text id="error" class="error">{data.error}</text> : null}
      </view>
    );
  },
});
