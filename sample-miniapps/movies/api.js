import { BACKEND } from './config.js';

/** Calls the merchant back end; rejects with {code, message} on an error answer. */
export async function backend(method, path, data) {
  const session = getApp().globalData.session;
  const body = Object.assign({}, data || {}, session ? { token: session.token } : {});
  const url = BACKEND + path + (method === 'GET' && session ? (path.includes('?') ? '&' : '?') + 'token=' + session.token : '');
  const res = await lily.base.request.request(method === 'GET' ? { url, method } : { url, method, data: body });
  if (res.statusCode >= 400) {
    const d = res.data || {};
    throw { code: d.code || 'HTTP_' + res.statusCode, message: d.message || 'The cinema answered ' + res.statusCode };
  }
  return res.data;
}

/** Formats fen as yuan. */
export function yuan(fen) {
  return '¥' + (fen / 100).toFixed(2);
}

/** The message to show for a failed call. */
export function problem(err) {
  if (err && err.message) return err.message;
  return String(err);
}
