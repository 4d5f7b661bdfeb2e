/**
 * The fetch that webhook delivery uses: HTTP(S) only, no redirects (a 3xx is a failed attempt),
 * and, unless the deployment allows private networks (the local demo does), only public
 * addresses: a merchant cannot point a webhook at the bank's internal network.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { isPublicAddress } from '../../capabilities/base/ip.ts';

/**
 * Builds the guarded fetch.
 *
 * The address is checked when the URL is resolved; the connection resolves the name again, so a
 * name whose answer flips between the two (DNS rebinding) is a residual risk that a deployment
 * closes with an egress proxy, as banks run anyway.
 *
 * @example
 * ```ts
 * await deliverOutbox({ store, bank, endpoint, fetch: safeWebhookFetch({ allowPrivateNetwork: false }) });
 * ```
 */
export function safeWebhookFetch(options: { allowPrivateNetwork: boolean }): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input.toString() : input.url);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`webhook URL must be http(s), got ${url.protocol}`);
    if (url.username || url.password) throw new Error('webhook URL must not carry credentials');
    if (!options.allowPrivateNetwork) {
      const host = url.hostname.replace(/^\[|\]$/g, '');
      const addresses = isIP(host) ? [host] : (await lookup(host, { all: true })).map((a) => a.address);
      if (addresses.length === 0 || !addresses.every(isPublicAddress)) throw new Error(`webhook host ${url.hostname} is not a public address`);
    }
    const res = await fetch(url, { ...init, redirect: 'manual' });
    if (res.status >= 300 && res.status < 400) throw new Error(`webhook answered a redirect (${res.status}); redirects are not followed`);
    return res;
  }) as typeof fetch;
}
