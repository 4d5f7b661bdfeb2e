import { backend, problem, qs, yuan } from '../../api.js';

const CONSENT = ['CONSENT_REQUIRED', 'CONSENT_DENIED'];

Page({
  data: {
    q: null, offer: null, rate: 'flexible', guestName: '', phoneMode: 'typed', bankPhone: null, typedPhone: '', invoice: null,
    booking: null, paid: false, held: false, error: null, notice: null, busy: false,
  },

  async onLoad(query) {
    const session = getApp().globalData.session;
    this.setData({ q: query, bankPhone: session && session.phone, phoneMode: session && session.phone ? 'bank' : 'typed' });
    try {
      const path = '/hotels/' + encodeURIComponent(query.hotelId) + '/rooms/' + encodeURIComponent(query.roomId);
      this.setData({ offer: await backend('GET', path + '?' + qs({ checkIn: query.checkIn, checkOut: query.checkOut, guests: query.guests })) });
    } catch (err) {
      this.setData({ error: problem(err) });
    }
  },

  pickRate(e) {
    if (!this.data.booking) this.setData({ rate: e.currentTarget.dataset.rate });
  },

  onName(e) {
    this.setData({ guestName: String(e.detail.value || '').slice(0, 30) });
  },

  onPhone(e) {
    this.setData({ typedPhone: String(e.detail.value || '').slice(0, 20), phoneMode: 'typed' });
  },

  async usePhone() {
    this.setData({ error: null, notice: null });
    try {
      // The number reaches the hotel's server encrypted; the mini-app only sees it masked.
      const shared = await lily.member.phone.getPhoneNumber();
      const { phone } = await backend('POST', '/phone', shared);
      getApp().globalData.session.phone = phone;
      this.setData({ bankPhone: phone, phoneMode: 'bank' });
    } catch (err) {
      if (CONSENT.includes(err.code)) {
        this.setData({ phoneMode: 'typed', notice: 'You did not share your bank phone number. Type a mobile number below so that the hotel can reach you.' });
      } else {
        this.setData({ error: problem(err) });
      }
    }
  },

  async chooseInvoice() {
    this.setData({ error: null, notice: null });
    try {
      const t = await lily.member.invoice.chooseInvoiceTitle();
      this.setData({ invoice: { type: t.type, title: t.title, taxNumber: t.taxNumber } });
    } catch (err) {
      if (CONSENT.includes(err.code)) this.setData({ notice: 'No invoice title shared: the front desk can issue the fapiao when you check out.' });
      else if (err.code !== 'USER_CANCELLED') this.setData({ error: problem(err) });
    }
  },

  clearInvoice() {
    this.setData({ invoice: null });
  },

  async reserve() {
    const { q, rate, guestName, phoneMode, typedPhone, invoice } = this.data;
    this.setData({ busy: true, error: null, notice: null });
    try {
      const booking = await backend('POST', '/bookings', {
        hotelId: q.hotelId, roomId: q.roomId, checkIn: q.checkIn, checkOut: q.checkOut, guests: Number(q.guests), rate, guestName,
        phone: phoneMode === 'bank' ? 'bank' : typedPhone, invoice,
      });
      this.setData({ booking });
    } catch (err) {
      this.setData({ error: problem(err) });
    } finally {
      this.setData({ busy: false });
    }
  },

  async pay() {
    this.setData({ error: null });
    try {
      // The bank's cashier shows the amount and asks for the PIN; the mini-app never sees it.
      await lily.payment.cashier.requestPayment({ prepayId: this.data.booking.prepay.prepayId });
      this.setData({ paid: true });
      lily.base.ui.showToast({ title: 'Room paid', icon: 'success' });
      if (this.data.held) await this.confirm();
    } catch (err) {
      this.setData({ error: err.code === 'USER_CANCELLED' ? 'The room was not paid.' : problem(err) });
    }
  },

  async authorize() {
    this.setData({ error: null });
    try {
      const hold = await lily.payment.deposit.authorizeHold({ holdId: this.data.booking.holdId });
      this.setData({ held: hold.status === 'held' });
      if (this.data.rate === 'flexible' || this.data.paid) await this.confirm();
    } catch (err) {
      this.setData({ error: err.code === 'USER_CANCELLED' ? 'The deposit was not authorized.' : problem(err) });
    }
  },

  async confirm() {
    const booking = await backend('POST', '/bookings/' + this.data.booking.bookingId + '/confirm');
    lily.base.ui.showToast({ title: 'Booking confirmed', icon: 'success' });
    lily.base.navigate.redirectTo({ url: 'pages/booking/booking?bookingId=' + booking.bookingId });
  },

  render(data) {
    const o = data.offer;
    if (!o) {
      return (
        <view id="book" class="page">
          <text class="title">Your stay</text>
          {data.error ? <text id="error" class="error">{data.error}</text> : <text>Loading…</text>}
        </view>
      );
    }
    const b = data.booking;
    const prepaid = data.rate === 'prepaid';
    const total = o.room.total[data.rate];
    const deposit = o.room.deposit[data.rate];
    return (
      <view id="book" class="page">
        <text class="title">{o.hotel.name}</text>
        <text id="room">{`${o.room.name} · ${o.checkIn} → ${o.checkOut} · ${o.nights} night${o.nights > 1 ? 's' : ''} · ${o.guests} guest${o.guests > 1 ? 's' : ''}`}</text>
        <view class="card">
          {o.room.nightly.map((n) => (
            <text key={n.date}>{`${n.date}  ${yuan(prepaid ? n.prepaid : n.price)}`}</text>
          ))}
          <text id="total">{`Room ${yuan(total)} · deposit ${yuan(deposit)}`}</text>
        </view>
        <view class="row">
          <button bindtap="pickRate" data-rate="flexible" type={prepaid ? 'default' : 'primary'} disabled={Boolean(b)}>{`Pay at hotel ${yuan(o.room.total.flexible)}`}</button>
          <button bindtap="pickRate" data-rate="prepaid" type={prepaid ? 'primary' : 'default'} disabled={Boolean(b)}>{`Prepay ${yuan(o.room.total.prepaid)}`}</button>
        </view>
        <text id="policy">
          {prepaid
            ? `Prepaid: the room is paid now and a ${yuan(o.policy.incidentals)} incidentals deposit is held. Free cancellation until ${o.policy.freeUntil}; after that ${o.policy.lateFeePct}% of the payment is kept.`
            : `Pay at the hotel: the room and a ${yuan(o.policy.incidentals)} incidentals deposit are held, then charged at check-out. Free cancellation until ${o.policy.freeUntil}; after that ${o.policy.lateFeePct}% of the room.`}
        </text>
        <text class="label">Guest</text>
        <input id="guest-name" bindinput="onName" value={data.guestName} placeholder="Name on the booking" disabled={Boolean(b)} />
        {data.phoneMode === 'bank' && data.bankPhone ? (
          <text id="phone">{`Phone ${data.bankPhone} (from your bank)`}</text>
        ) : (
          <button id="use-phone" bindtap="usePhone" disabled={Boolean(b)}>Use my bank phone number</button>
        )}
        <input id="typed-phone" type="number" bindinput="onPhone" value={data.typedPhone} placeholder="Or type a mobile number" disabled={Boolean(b)} />
        {data.invoice ? (
          <view id="invoice" class="row">
            <text>{`Fapiao to ${data.invoice.title}${data.invoice.taxNumber ? ' (' + data.invoice.taxNumber + ')' : ''}`}</text>
            {b ? null : <button size="mini" bindtap="clearInvoice">Remove</button>}
          </view>
        ) : (
          <button id="choose-invoice" bindtap="chooseInvoice" disabled={Boolean(b)}>Add an invoice title</button>
        )}
        {b ? (
          <view id="steps" class="card">
            <text id="reserved">{`Reserved: the room is kept for you for ${o.policy.pendingMinutes} minutes.`}</text>
            {prepaid ? (
              data.paid ? <badge id="paid">room paid</badge> : <button id="pay" type="primary" bindtap="pay">{`1. Pay the room ${yuan(b.roomTotal)}`}</button>
            ) : null}
            {data.held ? (
              <badge id="held">deposit held</badge>
            ) : (
              <button id="authorize" type="primary" bindtap="authorize">{`${prepaid ? '2. ' : ''}Authorize deposit ${yuan(b.deposit)}`}</button>
            )}
          </view>
        ) : (
          <button id="reserve" type="primary" bindtap="reserve" loading={data.busy} disabled={!o.room.available}>
            {o.room.available ? 'Reserve' : 'Not available'}
          </button>
        )}
        {data.notice ? <text id="notice" class="notice">{data.notice}</text> : null}
        {data.error ? <text id="error" class="error">{data.error}</text> : null}
      </view>
    );
  },
});
