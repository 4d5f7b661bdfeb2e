/**
 * Stand-in for Node's `crypto` in the browser build: sm-crypto-v2 imports it only when
 * `globalThis.crypto` is missing, which never happens in a browser or a worker.
 */
export const webcrypto = globalThis.crypto;
export default { webcrypto };
