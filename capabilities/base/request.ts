import { defineCapability } from '../define.ts';
import { enumOf, int, obj, str } from '../schemas.ts';

/** Default limits of the proxy; `config.request` may change them. */
export const REQUEST_DEFAULTS = {
  timeoutMs: 10_000,
  maxResponseBytes: 1024 * 1024,
  maxRequestBytes: 256 * 1024,
  maxConcurrentPerInstance: 5,
  maxRedirects: 3,
} as const;

const headerMap = (description: string, max: number) =>
  ({
    type: 'object',
    additionalProperties: { type: 'string', maxLength: 4096 },
    propertyNames: { type: 'string', pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$", maxLength: 64 },
    maxProperties: max,
    description,
  }) as const;

/** `base.request`: HTTP calls to the mini-app's own back end, proxied by the server. */
export default defineCapability({
  id: 'base.request',
  title: 'Network requests',
  titleZh: '网络请求',
  description: "HTTP requests to the domains declared in the mini-app's manifest, made by the server on the mini-app's behalf.",
  side: 'server',
  rateTier: 'standard',
  methods: {
    request: {
      summary: 'Send an HTTP request to a declared domain and return the response.',
      params: obj(
        {
          url: str('Absolute URL on a manifest domain; https:// in production.', 2048, { pattern: '^https?://[^\\s]+$' }),
          method: enumOf(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const, 'HTTP method (default GET).'),
          headers: headerMap('Request headers. Host, Cookie, hop-by-hop and proxy headers are refused.', 32),
          data: { description: 'Request body: a string is sent as is, anything else as JSON. Ignored for GET and HEAD.' },
          dataType: enumOf(['json', 'text'] as const, 'json (default): parse a JSON response body; text: return it as a string.'),
          timeout: int('Timeout in ms (default and maximum 10000).', 100, 10_000),
        },
        ['url'],
      ),
      result: obj(
        {
          statusCode: int('HTTP status of the final response.', 100, 599),
          headers: headerMap('Response headers, names in lower case; Set-Cookie is removed.', 64),
          data: { description: 'The body: parsed JSON when dataType is json and the body is JSON, else the text.' },
          size: int('Body size in bytes.', 0, 64 * 1024 * 1024),
        },
        ['statusCode', 'headers', 'data', 'size'],
      ),
      errors: ['PERMISSION_DENIED', 'INVALID_PARAMS', 'PAYLOAD_TOO_LARGE', 'TIMEOUT', 'RATE_LIMITED', 'UNAVAILABLE'],
      examples: [
        {
          title: 'Quote a ride',
          params: { url: 'https://api.ride.example/quotes', method: 'POST', data: { from: '人民广场', to: '虹桥机场' } },
          result: { statusCode: 200, headers: { 'content-type': 'application/json' }, data: { quoteId: 'q_81x', fare: 8650 }, size: 31 },
        },
      ],
    },
  },
  openApi: [],
  docs: `# Network requests

Mini-apps have no network of their own. \`request\` asks the server to make the call, and the
server enforces the rules below. Only the response reaches the mini-app.

- **Declared domains only.** The URL's host must equal an entry of the manifest's \`domains\`
  exactly (no wildcards, no subdomains). An entry may pin a port (\`api.example:8443\`) or a
  scheme (\`https://api.example\`). Anything else answers \`PERMISSION_DENIED\`.
- **HTTPS in production.** Plain \`http://\` works only in the sandbox.
- **No private networks.** After DNS resolution, loopback, private, link-local and other
  non-public addresses are refused (\`PERMISSION_DENIED\`) unless the deployment allows them (the
  local demo does, for its sample back ends). The check applies to the address actually connected.
- **Redirects** are followed only to the same scheme, host and port, at most 3 times; a redirect
  to another host is refused with \`PERMISSION_DENIED\`.
- **Limits:** 10 s per call (the \`timeout\` param may only lower it) → \`TIMEOUT\`; responses over
  1 MiB and bodies over 256 KiB → \`PAYLOAD_TOO_LARGE\`; 5 requests in flight per running
  mini-app → \`RATE_LIMITED\`; an unreachable host → \`UNAVAILABLE\`.
- HTTP error statuses are not errors: a 404 resolves with \`statusCode: 404\`.
- Cookies are neither sent nor returned; authenticate with a header (e.g. a token from \`member.login\`).

\`\`\`js
const res = await lily.base.request.request({ url: 'https://api.ride.example/quotes', method: 'POST', data: { from, to } });
if (res.statusCode === 200) this.setData({ fare: res.data.fare });
\`\`\`
`,
});
