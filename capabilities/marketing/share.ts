import { defineCapability } from '../define.ts';
import { enumOf, httpsUrl, int, obj, openId, pagePath, str, time } from '../schemas.ts';

const shareCode = str('Referral code of the share link.', 16, { pattern: '^[A-Z0-9]{6,16}$' });

/** `marketing.share`: share a page with a referral code. */
export default defineCapability({
  id: 'marketing.share',
  title: 'Share',
  titleZh: '分享',
  description: 'Share a page of the mini-app through the host share sheet; the link carries a referral code the opener can be credited to.',
  side: 'server',
  rateTier: 'standard',
  methods: {
    share: {
      summary: 'Open the host share sheet for a page; returns the referral code of the link.',
      params: obj(
        {
          title: str('Share card title.', 40, { minLength: 1 }),
          path: { ...pagePath, description: 'The page the link opens.' },
          imageUrl: { ...httpsUrl('Share card image: a package asset path or an https URL on a manifest domain.'), pattern: '^(https://[^\\s]+|assets/[A-Za-z0-9_./-]+)$' },
        },
        ['title', 'path'],
      ),
      result: obj({ shareCode, channel: enumOf(['contacts', 'moments', 'link', 'qrcode'] as const, 'Where the user shared it.') }, ['shareCode', 'channel']),
      userGesture: true,
      errors: ['USER_CANCELLED'],
      examples: [{ title: 'Share a movie', params: { title: '一起看《星海》', path: 'pages/movie/detail?id=m1024' }, result: { shareCode: 'R8K2Q7', channel: 'contacts' } }],
    },
    getShareInfo: {
      summary: 'Get who shared a link and how often it was opened.',
      params: obj({ shareCode }, ['shareCode']),
      result: obj(
        { shareCode, sharerOpenId: openId, path: pagePath, opens: int('Times the link was opened.', 0, 100_000_000), createdAt: time('When it was shared.') },
        ['shareCode', 'sharerOpenId', 'path', 'opens', 'createdAt'],
      ),
      errors: ['NOT_FOUND'],
      examples: [
        { title: 'The link that opened this page', params: { shareCode: 'R8K2Q7' }, result: { shareCode: 'R8K2Q7', sharerOpenId: 'o_Xk29fLq8mZ3wP1vT', path: 'pages/movie/detail?id=m1024', opens: 12, createdAt: 1746072000000 } },
      ],
    },
  },
  openApi: [],
  docs: `# Share

The host renders the share card (title, image, app name) and the link; the mini-app cannot
change what the host shows around it. Every link carries a \`shareCode\`: when someone opens it,
\`base.system.getLaunchOptions\` returns scene \`share\` and the code, and the first open by a new
user of the app records a referral (\`marketing.referral\`).

\`getShareInfo\` gives the sharer's openId **in this app** and the open count; codes of other
apps answer \`NOT_FOUND\`.
`,
});
