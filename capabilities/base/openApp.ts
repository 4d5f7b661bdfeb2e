import { defineCapability } from '../define.ts';
import { appId, obj, okResult, pagePath } from '../schemas.ts';

const extraData = {
  type: 'object',
  additionalProperties: { type: ['string', 'number', 'boolean', 'null'], maxLength: 512 },
  maxProperties: 16,
  description: 'Up to 16 small values handed to the other mini-app (its getLaunchOptions or onShow).',
} as const;

/** `base.openApp`: jump to another mini-app on the allowlist, and back. */
export default defineCapability({
  id: 'base.openApp',
  title: 'Open another mini-app',
  titleZh: '打开小程序',
  description: 'Open an allowlisted mini-app (for example a hotel app from a travel app) and return from it.',
  side: 'host',
  rateTier: 'standard',
  methods: {
    navigateToMiniApp: {
      summary: 'Open another mini-app at a page, after the user confirms.',
      params: obj({ appId: { ...appId, description: 'The mini-app to open; must be on your allowlist.' }, path: pagePath, extraData }, ['appId']),
      result: okResult,
      confirm: { kind: 'openApp', shows: ['target.name', 'target.icon'] },
      userGesture: true,
      errors: ['PERMISSION_DENIED', 'NOT_FOUND', 'APP_NOT_LIVE', 'USER_CANCELLED'],
      examples: [
        {
          title: 'Book the hotel for a trip',
          params: { appId: 'hotel-demo', path: 'pages/hotel/list?city=shanghai', extraData: { checkIn: '2025-05-01' } },
          result: { ok: true },
        },
      ],
    },
    navigateBackMiniApp: {
      summary: 'Close this mini-app and return to the one that opened it.',
      params: obj({ extraData }, []),
      result: okResult,
      errors: ['INVALID_STATE'],
      examples: [{ title: 'Return with the booking', params: { extraData: { bookingId: 'b_5521' } }, result: { ok: true } }],
    },
  },
  openApi: [],
  docs: `# Open another mini-app

- The target must be on your allowlist: app ids you list in the manifest under
  \`openAppTargets\`, approved at review. Others answer \`PERMISSION_DENIED\`; a target that is
  suspended or not live answers \`APP_NOT_LIVE\`.
- Only on a user tap. The host asks the user to confirm, showing the target's name and icon.
- \`extraData\` is small and public: never put tokens or personal data in it. The target reads it
  in \`getLaunchOptions\` with scene \`openApp\`.
- \`navigateBackMiniApp\` works only in a mini-app opened this way (\`INVALID_STATE\` otherwise).

\`\`\`js
await lily.base.openApp.navigateToMiniApp({ appId: 'hotel-demo', path: 'pages/hotel/list?city=shanghai' });
\`\`\`
`,
});
