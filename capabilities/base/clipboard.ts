import { defineCapability } from '../define.ts';
import { noParams, obj, okResult, str } from '../schemas.ts';

const text = str('Plain text, up to 4096 characters.', 4096);

/** `base.clipboard`: write freely, read only with consent. */
export default defineCapability({
  id: 'base.clipboard',
  title: 'Clipboard',
  titleZh: '剪贴板',
  description: 'Copy text to the clipboard; reading it needs the user’s consent.',
  side: 'host',
  rateTier: 'light',
  methods: {
    setClipboardData: {
      summary: 'Copy text to the clipboard (the host shows a "copied" toast).',
      params: obj({ data: text }, ['data']),
      result: okResult,
      errors: [],
      examples: [{ title: 'Copy an order number', params: { data: 'ord_A1b2C3d4E5' }, result: { ok: true } }],
    },
    getClipboardData: {
      summary: 'Read the text on the clipboard.',
      params: noParams,
      result: obj({ data: text }, ['data']),
      scope: { id: 'scope.clipboard', purpose: { zh: '粘贴您在别处复制的券码或地址。', en: 'Paste a code or address you copied elsewhere.' } },
      errors: ['CONSENT_REQUIRED'],
      examples: [{ title: 'Paste a coupon code', params: {}, result: { data: 'SPRING2025' } }],
    },
  },
  openApi: [],
  docs: `# Clipboard

- \`setClipboardData\` needs no consent; the host tells the user that something was copied.
- \`getClipboardData\` reads what the user copied, possibly from another app, so it needs consent
  to \`scope.clipboard\` (asked once per app, revocable). Read it only when the user asks to paste.
- Text only; anything else on the clipboard reads as an empty string.

\`\`\`js
await lily.base.clipboard.setClipboardData({ data: orderId });
\`\`\`
`,
});
