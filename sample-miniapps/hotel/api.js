import { BACKEND } from './config.js';

/** Calls the merchant back end; rejects with {code, message} on an error answer. */
export async function backend(method, path, data) {
  const session = getApp().globalData.session;
  const req = { url: BACKEND + path, method, headers: session ? { Authorization: 'Bearer ' + session.token } : {} };
  if (method !== 'GET') req.data = data || {};
  const res = await lily.base.request.request(req);
  if (res.statusCode >= 400) {
    const d = res.data || {};
    throw { code: d.code || 'HTTP_' + res.statusCode, message: d.message || 'The hotel service answered ' + res.statusCode };
  }
  return res.data;
}

/** A query string from plain values. */
export function qs(params) {
  return Object.keys(params)
    .filter((k) => params[k] !== undefined && params[k] !== null)
    .map((k) => k + '=' + encodeURIComponent(String(params[k])))
    .join('&');
}

/** Formats fen as yuan. */
export function yuan(fen) {
  return '¥' + (fen / 100).toFixed(2);
}

/** `YYYY-MM-DD` of the day `days` after `date` (`YYYY-MM-DD`). */
export function addDays(date, days) {
  const t = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) + days * 86400000;
  return new Date(t).toISOString().slice(0, 10);
}

/** What to tell the guest about a failed call. */
export function problem(err) {
  if (err && err.code === 'USER_CANCELLED') return null;
  return (err && err.message) || String(err);
}

/** What the status of a booking means to the guest. */
export const STATUS = {
  pending: 'Awaiting deposit',
  confirmed: 'Confirmed',
  checked_out: 'Checked out',
  cancelled: 'Cancelled',
  expired: 'Expired',
};
