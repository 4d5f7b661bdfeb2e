import { BACKEND } from './config.js';

/** Calls the merchant back end; rejects with {code, message} on an error answer. */
export async function backend(method, path, data) {
  const session = getApp().globalData.session;
  const body = Object.assign({}, data || {}, session ? { token: session.token } : {});
  const url = BACKEND + path + (method === 'GET' && session ? (path.includes('?') ? '&' : '?') + 'token=' + session.token : '');
  const res = await lily.base.request.request(method === 'GET' ? { url, method } : { url, method, data: body });
  if (res.statusCode >= 400) {
    const d = res.data || {};
    throw { code: d.code || 'HTTP_' + res.statusCode, message: d.message || 'The ticket service answered ' + res.statusCode };
  }
  return res.data;
}

/** Formats fen as yuan. */
export function yuan(fen) {
  return '¥' + (fen / 100).toFixed(2);
}

/** Formats seconds as a countdown: 1d 02:03:04, 02:03:04 or 03:04. */
export function countdown(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const pad = (n) => (n < 10 ? '0' : '') + n;
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = pad(m) + ':' + pad(s % 60);
  if (d > 0) return d + 'd ' + pad(h) + ':' + rest;
  return h > 0 ? pad(h) + ':' + rest : rest;
}

/** A date and time as 2025-06-01 19:30 (in the device's time zone). */
export function when(ms) {
  const d = new Date(ms);
  const pad = (n) => (n < 10 ? '0' : '') + n;
  return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + ' ' + pad(d.getHours()) + ':' + pad(d.getMinutes());
}

/** Turns a failed call into a sentence for the fan. */
export function problem(err) {
  if (!err) return 'Something went wrong.';
  return err.message || err.code || String(err);
}
