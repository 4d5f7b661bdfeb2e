import { defineCapability } from '../define.ts';
import { obj, okResult, str } from '../schemas.ts';

/** `base.phone`: start a phone call after the user confirms the number. */
export default defineCapability({
  id: 'base.phone',
  title: 'Phone call',
  titleZh: '拨打电话',
  description: 'Start a phone call; the host shows the number and asks the user to confirm.',
  side: 'host',
  rateTier: 'standard',
  confirm: { kind: 'phoneCall', shows: ['phoneNumber'] },
  methods: {
    makePhoneCall: {
      summary: 'Call a number after the user confirms it in a host sheet.',
      params: obj({ phoneNumber: str('Digits, with an optional leading + and separators.', 20, { pattern: '^\\+?[0-9][0-9 -]{2,19}$' }) }, ['phoneNumber']),
      result: okResult,
      userGesture: true,
      errors: ['USER_CANCELLED', 'UNAVAILABLE'],
      examples: [{ title: 'Call the driver', params: { phoneNumber: '021-5555 0101' }, result: { ok: true } }],
    },
  },
  openApi: [],
  docs: `# Phone call

Only on a user tap. The host shows the number in its own sheet and dials only after the user
confirms, so a mini-app cannot place calls silently or disguise the number. Devices that cannot
place calls answer \`UNAVAILABLE\`; the sheet still lets the user copy the number.

\`\`\`js
await lily.base.phone.makePhoneCall({ phoneNumber: driver.virtualNumber });
\`\`\`
`,
});
