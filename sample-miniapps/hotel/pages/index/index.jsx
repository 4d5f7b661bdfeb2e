import { addDays, backend, problem, qs } from '../../api.js';

const GUESTS = ['1 guest', '2 guests', '3 guests', '4 guests'];

Page({
  data: { session: null, cities: [], cityIndex: 0, today: '', lastDay: '', checkIn: '', checkOut: '', guests: 2, savedCity: null, error: null, busy: false },

  async onLoad() {
    // The last search is remembered on this device for this guest (base.storage).
    const saved = await lily.base.storage.getStorage({ key: 'lastSearch' }).then((r) => r.data, () => null);
    if (saved) this.setData({ savedCity: saved.city, guests: saved.guests || 2 });
    // Back on the first page while logged in (a new search): straight to the form.
    const session = getApp().globalData.session;
    if (session) {
      this.setData({ session });
      await this.loadCities();
    }
  },

  async login() {
    this.setData({ busy: true, error: null });
    try {
      const { code } = await lily.member.login.login();
      const s = await backend('POST', '/session', { code });
      getApp().globalData.session = s;
      this.setData({ session: s });
      await this.loadCities();
    } catch (err) {
      this.setData({ error: problem(err) });
    } finally {
      this.setData({ busy: false });
    }
  },

  async loadCities() {
    try {
      // The chain's cities and rules change rarely: fetched once per launch.
      const g = getApp().globalData;
      if (!g.cities) g.cities = await backend('GET', '/cities');
      const { cities, rules, today } = g.cities;
      const saved = cities.findIndex((c) => c.id === this.data.savedCity);
      this.setData({
        cities,
        cityIndex: saved >= 0 ? saved : 0,
        today,
        lastDay: addDays(today, rules.maxDaysAhead),
        checkIn: this.data.checkIn || today,
        checkOut: this.data.checkOut || addDays(today, 1),
      });
    } catch (err) {
      this.setData({ error: problem(err) });
    }
  },

  onCity(e) {
    this.setData({ cityIndex: Number(e.detail.value) || 0 });
  },

  onCheckIn(e) {
    const checkIn = String(e.detail.value);
    // Keep the stay one night long when the new check-in passes the check-out.
    this.setData({ checkIn, checkOut: this.data.checkOut > checkIn ? this.data.checkOut : addDays(checkIn, 1) });
  },

  onCheckOut(e) {
    this.setData({ checkOut: String(e.detail.value) });
  },

  onGuests(e) {
    this.setData({ guests: (Number(e.detail.value) || 0) + 1 });
  },

  async search() {
    const { cities, cityIndex, checkIn, checkOut, guests } = this.data;
    const city = cities[cityIndex];
    if (!city) return;
    await lily.base.storage.setStorage({ key: 'lastSearch', data: { city: city.id, guests } });
    getApp().globalData.search = { city: city.id, cityName: city.name, checkIn, checkOut, guests };
    lily.base.navigate.navigateTo({ url: 'pages/hotels/hotels?' + qs({ city: city.id, checkIn, checkOut, guests }) });
  },

  bookings() {
    lily.base.navigate.navigateTo({ url: 'pages/bookings/bookings' });
  },

  card() {
    lily.base.navigate.navigateTo({ url: 'pages/card/card' });
  },

  render(data) {
    if (!data.session) {
      return (
        <view id="welcome" class="page">
          <text class="title">悦途酒店</text>
          <text>Hotels in Shanghai, Beijing and Hangzhou. Book with a deposit held by your bank, pay as you leave.</text>
          <button id="login" type="primary" bindtap="login" loading={data.busy}>Log in with your bank</button>
          {data.error ? <text id="error" class="error">{data.error}</text> : null}
        </view>
      );
    }
    const city = data.cities[data.cityIndex];
    return (
      <view id="search" class="page">
        <text id="guest">{`Welcome, guest ${data.session.guest} · ${data.session.level}`}</text>
        <picker id="city" mode="selector" range={data.cities.map((c) => c.name)} value={data.cityIndex} bindchange="onCity">
          <text>{`City: ${city ? city.name : '…'}`}</text>
        </picker>
        <picker id="check-in" mode="date" value={data.checkIn} start={data.today} end={data.lastDay} bindchange="onCheckIn">
          <text>{`Check-in: ${data.checkIn}`}</text>
        </picker>
        <picker id="check-out" mode="date" value={data.checkOut} start={data.today} end={data.lastDay} bindchange="onCheckOut">
          <text>{`Check-out: ${data.checkOut}`}</text>
        </picker>
        <picker id="guests" mode="selector" range={GUESTS} value={data.guests - 1} bindchange="onGuests">
          <text>{`Guests: ${data.guests}`}</text>
        </picker>
        <button id="find" type="primary" bindtap="search" disabled={!city}>Search hotels</button>
        <divider />
        <button id="my-bookings" bindtap="bookings">My bookings</button>
        <button id="my-card" bindtap="card">Membership card</button>
        {data.error ? <text id="error" class="error">{data.error}</text> : null}
      </view>
    );
  },
});
