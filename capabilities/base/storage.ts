import { defineCapability } from '../define.ts';
import { arr, bool, int, noParams, obj, str } from '../schemas.ts';

/** Default limits; a deployment may lower or raise them in `config.storage`. */
export const STORAGE_DEFAULTS = { quotaBytes: 1024 * 1024, maxValueBytes: 10 * 1024, maxKeys: 1000, maxKeyLength: 128 } as const;

const key = str('The key: 1 to 128 characters.', STORAGE_DEFAULTS.maxKeyLength, { minLength: 1 });
const usage = {
  currentSize: int('Bytes used by this user in this app (keys plus JSON values, UTF-8).', 0, 1024 * 1024 * 1024),
  limitSize: int('The quota in bytes.', 0, 1024 * 1024 * 1024),
} as const;

/** `base.storage`: a small key-value store per user × app, persisted server-side. */
export default defineCapability({
  id: 'base.storage',
  title: 'Storage',
  titleZh: '数据缓存',
  description: 'Key-value storage per user and mini-app, kept on the server across devices, with a quota.',
  side: 'server',
  rateTier: 'light',
  methods: {
    setStorage: {
      summary: 'Store a JSON value under a key, replacing any previous value.',
      params: obj({ key, data: { description: 'Any JSON value, at most 10 KiB once serialized.' } }, ['key', 'data']),
      result: obj({ key, size: int('Bytes this entry takes (key plus JSON value).', 1, 1024 * 1024), ...usage }, ['key', 'size', 'currentSize', 'limitSize']),
      errors: ['PAYLOAD_TOO_LARGE', 'QUOTA_EXCEEDED'],
      examples: [
        {
          title: 'Remember the last search',
          params: { key: 'lastSearch', data: { city: '上海', date: '2025-05-01' } },
          result: { key: 'lastSearch', size: 47, currentSize: 47, limitSize: 1048576 },
        },
      ],
    },
    getStorage: {
      summary: 'Read the value stored under a key.',
      params: obj({ key }, ['key']),
      result: obj({ data: { description: 'The stored JSON value.' } }, ['data']),
      errors: ['NOT_FOUND'],
      examples: [{ title: 'Read it back', params: { key: 'lastSearch' }, result: { data: { city: '上海', date: '2025-05-01' } } }],
    },
    removeStorage: {
      summary: 'Delete a key.',
      params: obj({ key }, ['key']),
      result: obj({ removed: bool('False when the key did not exist.'), ...usage }, ['removed', 'currentSize', 'limitSize']),
      errors: [],
      examples: [{ title: 'Forget it', params: { key: 'lastSearch' }, result: { removed: true, currentSize: 0, limitSize: 1048576 } }],
    },
    clearStorage: {
      summary: "Delete every key of this user in this app.",
      params: noParams,
      result: obj({ removedKeys: int('How many keys were deleted.', 0, 100000) }, ['removedKeys']),
      errors: [],
      examples: [{ title: 'Log out', params: {}, result: { removedKeys: 3 } }],
    },
    getStorageInfo: {
      summary: 'List the keys and the bytes used and allowed.',
      params: noParams,
      result: obj({ keys: arr(key, 100000, 'Every key, sorted.'), ...usage }, ['keys', 'currentSize', 'limitSize']),
      errors: [],
      examples: [{ title: 'Two keys', params: {}, result: { keys: ['cart', 'lastSearch'], currentSize: 312, limitSize: 1048576 } }],
    },
  },
  openApi: [],
  docs: `# Storage

A key-value store for one user in one mini-app, persisted by the server, so it follows the user
to another device. Other apps and other users never see it; sandbox and production are separate.

Limits (defaults; the deployment may change them):

| limit | default |
|---|---|
| quota per user × app (keys plus JSON values, UTF-8 bytes) | 1 MiB |
| one value, serialized as JSON | 10 KiB |
| key length | 128 characters |
| keys per user × app | 1,000 |

- A value over 10 KiB answers \`PAYLOAD_TOO_LARGE\`; a write that would pass the quota or the key
  count answers \`QUOTA_EXCEEDED\` and changes nothing. Replacing a value counts only the difference.
- \`getStorage\` of a missing key answers \`NOT_FOUND\`.
- Do not keep secrets or personal data here: the user can clear it from settings.

\`\`\`js
await lily.base.storage.setStorage({ key: 'cart', data: { items: [{ sku: 'A1', qty: 2 }] } });
const { data } = await lily.base.storage.getStorage({ key: 'cart' });
\`\`\`
`,
});
