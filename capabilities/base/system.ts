import { defineCapability } from '../define.ts';
import { bool, enumOf, int, noParams, obj, pagePath, str } from '../schemas.ts';

/** `base.system`: facts about the host, the device and how the mini-app was opened. */
export default defineCapability({
  id: 'base.system',
  title: 'System information',
  titleZh: '系统信息',
  description: 'Host and device facts, launch options, and feature detection for the running host.',
  side: 'host',
  rateTier: 'light',
  methods: {
    getSystemInfo: {
      summary: 'Get the host version, platform, language, theme and window size.',
      params: noParams,
      result: obj(
        {
          platform: enumOf(['ios', 'android', 'web', 'headless'] as const, 'Where the host runs.'),
          hostVersion: str('Host app version (semver).', 32),
          sdkVersion: str('Version of the lily.* API the host implements (semver).', 32),
          language: enumOf(['zh-CN', 'en-US'] as const, 'The UI language the user chose.'),
          theme: enumOf(['light', 'dark'] as const, 'The current color theme.'),
          windowWidth: int('Usable width of the mini-app view, in CSS pixels.', 0, 10000),
          windowHeight: int('Usable height of the mini-app view, in CSS pixels.', 0, 10000),
          pixelRatio: { type: 'number', minimum: 0.5, maximum: 8, description: 'Device pixels per CSS pixel.' },
          fontScale: { type: 'number', minimum: 0.5, maximum: 3, description: "The user's font size setting (1 = default)." },
        },
        ['platform', 'hostVersion', 'sdkVersion', 'language', 'theme', 'windowWidth', 'windowHeight', 'pixelRatio', 'fontScale'],
      ),
      errors: [],
      examples: [
        {
          title: 'A phone in Chinese, light theme',
          params: {},
          result: { platform: 'android', hostVersion: '1.4.0', sdkVersion: '1.0.0', language: 'zh-CN', theme: 'light', windowWidth: 390, windowHeight: 780, pixelRatio: 3, fontScale: 1 },
        },
      ],
    },
    getLaunchOptions: {
      summary: 'Get the page, query and scene the mini-app was opened with.',
      params: noParams,
      result: obj(
        {
          path: pagePath,
          query: {
            type: 'object',
            additionalProperties: { type: 'string', maxLength: 512 },
            maxProperties: 32,
            description: 'Query parameters of the launch page.',
          },
          scene: enumOf(['marketplace', 'search', 'qrcode', 'share', 'message', 'openApp', 'recent', 'developer'] as const, 'How the user opened the mini-app.'),
          referrerAppId: { type: ['string', 'null'], maxLength: 64, description: 'The mini-app that opened this one (scene openApp), else null.' },
          shareCode: { type: ['string', 'null'], maxLength: 64, description: 'Referral code of the share link that opened it (scene share), else null.' },
        },
        ['path', 'query', 'scene', 'referrerAppId', 'shareCode'],
      ),
      errors: [],
      examples: [
        {
          title: 'Opened from a shared link',
          params: {},
          result: { path: 'pages/movie/detail', query: { id: 'm1024' }, scene: 'share', referrerAppId: null, shareCode: 'R8K2Q7' },
        },
      ],
    },
    canIUse: {
      summary: 'Ask whether a capability or method can be called in this host and by this app now.',
      params: obj(
        {
          schema: str('A capability id or capability method, e.g. `payment.cashier` or `payment.cashier.requestPayment`.', 96, {
            pattern: '^(payment|member|marketing|base)\\.[A-Za-z0-9]+(\\.[A-Za-z0-9]+)?$',
          }),
        },
        ['schema'],
      ),
      result: obj(
        {
          available: bool('True when the call would reach its gates (host support, declared and granted).'),
          reason: enumOf(['ok', 'unknown', 'notDeclared', 'notGranted', 'hostTooOld'] as const, 'Why it is or is not available.'),
        },
        ['available', 'reason'],
      ),
      errors: [],
      examples: [
        { title: 'A granted method', params: { schema: 'payment.cashier.requestPayment' }, result: { available: true, reason: 'ok' } },
        { title: 'A capability ops did not grant', params: { schema: 'member.phone' }, result: { available: false, reason: 'notGranted' } },
      ],
    },
  },
  openApi: [],
  docs: `# System information

Answered by the host without a server round trip.

- \`getSystemInfo\` gives the host and SDK versions, platform, language (\`zh-CN\` by default),
  theme and the usable window size. Lay out for \`windowWidth\`, not the screen.
- \`getLaunchOptions\` gives the launch page and query, the scene (marketplace, QR code, share
  link, message, another mini-app) and, for share links, the referral code.
- \`canIUse\` checks a capability or a method against the host's SDK version, the manifest and
  the current grant snapshot. Consent is not part of the answer: call the method and handle
  \`CONSENT_REQUIRED\`.

\`\`\`js
const info = await lily.base.system.getSystemInfo();
if ((await lily.base.system.canIUse({ schema: 'member.phone.getPhoneNumber' })).available) { /* show the button */ }
\`\`\`
`,
});
