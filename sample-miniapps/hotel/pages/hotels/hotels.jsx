import { backend, problem, qs, yuan } from '../../api.js';

Page({
  data: { query: null, result: null, error: null, loading: true },

  async onLoad(query) {
    this.setData({ query });
    try {
      this.setData({ result: await backend('GET', '/hotels?' + qs({ city: query.city, checkIn: query.checkIn, checkOut: query.checkOut, guests: query.guests })) });
    } catch (err) {
      this.setData({ error: problem(err) });
    } finally {
      this.setData({ loading: false });
    }
  },

  book(e) {
    const [hotelId, roomId] = String(e.currentTarget.dataset.offer).split(':');
    const { checkIn, checkOut, guests } = this.data.result;
    lily.base.navigate.navigateTo({ url: 'pages/book/book?' + qs({ hotelId, roomId, checkIn, checkOut, guests }) });
  },

  async call(e) {
    try {
      await lily.base.phone.makePhoneCall({ phoneNumber: String(e.currentTarget.dataset.phone) });
    } catch (err) {
      const message = problem(err);
      if (message) lily.base.ui.showToast({ title: 'Cannot call from here', icon: 'error' });
    }
  },

  change() {
    lily.base.navigate.navigateBack({ delta: 1 });
  },

  render(data) {
    const r = data.result;
    if (!r) {
      return (
        <view id="results" class="page">
          <text class="title">{data.loading ? 'Searching…' : 'No results'}</text>
          {data.error ? <text id="error" class="error">{data.error}</text> : null}
          <button id="change" bindtap="change">Change search</button>
        </view>
      );
    }
    return (
      <view id="results" class="page">
        <text class="title">{`${r.city.name}: ${r.checkIn} → ${r.checkOut}`}</text>
        <text id="summary">{`${r.nights} night${r.nights > 1 ? 's' : ''} · ${r.guests} guest${r.guests > 1 ? 's' : ''}`}</text>
        {r.hotels.map((hotel) => (
          <view key={hotel.hotelId} class="card">
            <text class="title">{hotel.name}</text>
            <text>{hotel.address}</text>
            <button size="mini" bindtap="call" data-phone={hotel.phone}>{`Call ${hotel.phone}`}</button>
            <list>
              {hotel.rooms.map((room) => (
                <list-item key={room.roomId}>
                  <view class="room">
                    <text class="subtitle">{room.name}</text>
                    <text>{`${room.beds} · sleeps ${room.maxGuests}`}</text>
                    <text class="nights">{room.nightly.map((n) => `${n.date.slice(5)} ${yuan(n.price)} (${n.left > 0 ? n.left + ' left' : 'sold out'})`).join(' · ')}</text>
                    <text class="price">{`${yuan(room.total.flexible)} pay at hotel · ${yuan(room.total.prepaid)} prepaid`}</text>
                    {room.available ? (
                      <button id={`book-${hotel.hotelId}-${room.roomId}`} type="primary" size="mini" bindtap="book" data-offer={`${hotel.hotelId}:${room.roomId}`}>{room.left === 1 ? 'Book · last room' : 'Book'}</button>
                    ) : (
                      <text class="unavailable">{!room.fits ? `Sleeps at most ${room.maxGuests}` : `Sold out on ${room.soldOutNights.join(', ')}`}</text>
                    )}
                  </view>
                </list-item>
              ))}
            </list>
          </view>
        ))}
        <button id="change" bindtap="change">Change search</button>
      </view>
    );
  },
});
