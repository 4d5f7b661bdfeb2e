import { backend, countdown, problem, when, yuan } from '../../api.js';

/** What a failed draw means for the fan. */
function drawProblem(err) {
  if (err.code === 'LIMIT_EXCEEDED') return 'You have used your draw for this show.';
  if (err.code === 'INVALID_STATE') return 'The draw is not open right now (a new draw may still await the bank’s review).';
  if (err.code === 'NOT_ADMITTED') return 'Wait for your turn in the queue before drawing.';
  return problem(err);
}

Page({
  data: { showId: '', show: null, elapsed: 0, queue: null, result: null, ticket: null, drawing: false, error: null },

  onLoad(query) {
    this.setData({ showId: query.showId || '' });
    this.load();
  },

  onUnload() {
    this.stopTimers();
  },

  stopTimers() {
    if (this.countdownTimer) clearInterval(this.countdownTimer);
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.countdownTimer = null;
    this.pollTimer = null;
  },

  async load() {
    this.stopTimers();
    try {
      const show = await backend('GET', '/shows/' + this.data.showId);
      this.setData({ show, queue: show.queue, result: show.result, elapsed: 0, error: null });
      lily.base.ui.setNavigationBarTitle({ title: show.title.slice(0, 32) });
      if (show.status === 'upcoming') this.countdownTimer = setInterval(() => this.tick(), 1000);
      if (show.queue && !show.queue.admitted) this.startPolling();
      if (show.result && show.result.won) this.setData({ ticket: await backend('GET', '/tickets/' + show.result.ticketId) });
    } catch (err) {
      this.setData({ error: problem(err) });
    }
  },

  tick() {
    const elapsed = this.data.elapsed + 1;
    this.setData({ elapsed });
    // The sale opens: fetch the show again, the back end decides.
    if (this.data.show.secondsToSale - elapsed <= 0) this.load();
  },

  async join() {
    this.setData({ error: null });
    try {
      const queue = await backend('POST', '/shows/' + this.data.showId + '/queue');
      this.setData({ queue });
      if (!queue.admitted) this.startPolling();
    } catch (err) {
      this.setData({ error: problem(err) });
    }
  },

  startPolling() {
    if (this.pollTimer) return;
    this.pollTimer = setInterval(() => this.poll(), 2000);
  },

  async poll() {
    try {
      const queue = await backend('GET', '/shows/' + this.data.showId + '/queue');
      this.setData({ queue });
      if (queue.admitted) {
        clearInterval(this.pollTimer);
        this.pollTimer = null;
        lily.base.ui.showToast({ title: 'Your turn to draw', icon: 'success' });
      }
    } catch (err) {
      this.setData({ error: problem(err) });
    }
  },

  async draw() {
    const queue = this.data.queue;
    if (!queue || !queue.admitted || !queue.activityId || this.data.drawing) return;
    this.setData({ drawing: true, error: null });
    try {
      // The draw itself happens on the bank's server, only on this tap.
      const drawn = await lily.marketing.luckyDraw.drawPrize({ activityId: queue.activityId });
      const claim = await backend('POST', '/shows/' + this.data.showId + '/draws', { drawId: drawn.drawId });
      if (claim.won) {
        this.setData({ result: { drawId: drawn.drawId, won: true, ticketId: claim.ticket.ticketId }, ticket: claim.ticket });
        lily.base.ui.showToast({ title: 'You won a ticket!', icon: 'success' });
      } else {
        this.setData({ result: { drawId: drawn.drawId, won: false, ticketId: null } });
        lily.base.ui.showModal({ title: 'Not this time', content: 'This draw did not win a ticket. Good luck with the next sale!', showCancel: false });
      }
    } catch (err) {
      this.setData({ error: drawProblem(err) });
    } finally {
      this.setData({ drawing: false });
    }
  },

  holder() {
    lily.base.navigate.navigateTo({ url: 'pages/holder/holder?ticketId=' + this.data.ticket.ticketId });
  },

  render(data) {
    const { show, queue, result, ticket } = data;
    if (!show) {
      return (
        <view id="show" class="page">
          <text>Loading…</text>
          {data.error ? <text id="error" class="error">{data.error}</text> : null}
        </view>
      );
    }
    let sale;
    if (show.status === 'upcoming') {
      sale = <text id="countdown" class="countdown">{`On sale in ${countdown(show.secondsToSale - data.elapsed)}`}</text>;
    } else if (result && result.won && ticket) {
      sale = (
        <view id="won" class="card">
          <icon type="success" />
          <text id="seat">{`You won: ${ticket.seat}`}</text>
          {ticket.status === 'won' || ticket.status === 'verified' ? (
            <button id="holder" type="primary" bindtap="holder">Name the ticket holder</button>
          ) : (
            <text id="ticket-status">{`Ticket ${ticket.status}`}</text>
          )}
        </view>
      );
    } else if (result && !result.won) {
      sale = <text id="lost">Not this time: this draw did not win a ticket.</text>;
    } else if (show.status === 'on_sale' && !queue) {
      sale = <button id="join" type="primary" bindtap="join">Join the queue</button>;
    } else if (queue && !queue.admitted) {
      sale = (
        <view id="queue" class="card">
          <text id="position">{`You are #${queue.position} in the queue · ${queue.ahead} ahead`}</text>
          <progress percent={Math.max(5, Math.round(100 - (queue.ahead / Math.max(1, queue.position)) * 100))} />
          <text>{`About ${queue.etaSeconds} s to go`}</text>
        </view>
      );
    } else if (queue && queue.admitted) {
      sale = (
        <view id="turn" class="card">
          <text id="position">{`Your turn (#${queue.position})`}</text>
          {queue.drawStatus === 'pending_review' ? <text>The draw awaits the bank’s review.</text> : null}
          <button id="draw" type="primary" bindtap="draw" loading={data.drawing} disabled={!queue.activityId}>
            {`Draw for a ticket (${show.oddsPpm >= 1000000 ? 'wins while tickets last' : Math.round(show.oddsPpm / 10000) + '% odds'})`}
          </button>
        </view>
      );
    } else {
      sale = <text id="closed">{show.status === 'cancelled' ? `Cancelled: ${show.cancelledReason}` : show.status === 'sold_out' ? 'Sold out' : 'Sales have closed'}</text>;
    }
    return (
      <view id="show" class="page">
        <text class="title">{show.title}</text>
        <text>{show.artist}</text>
        <text>{`${show.city} · ${show.venue}`}</text>
        <text id="starts">{when(show.startsAt)}</text>
        <text id="price">{`${yuan(show.price)} · ${show.remaining} of ${show.inventory} tickets left`}</text>
        <divider />
        {sale}
        {data.error ? <text id="error" class="error">{data.error}</text> : null}
      </view>
    );
  },
});
