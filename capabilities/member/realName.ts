import { defineCapability } from '../define.ts';
import { bool, enumOf, noParams, obj, openId, str } from '../schemas.ts';

/** `member.realName`: whether the user is verified, masked and tokenized; never the raw id. */
export default defineCapability({
  id: 'member.realName',
  title: 'Real-name status',
  titleZh: '实名认证',
  description: "Whether the user passed the bank's real-name verification, with a masked name and a per-app token; and a yes/no name and id check for merchants that must verify identity.",
  scope: { id: 'scope.realName', purpose: { zh: '购票和酒店预订须使用实名信息。', en: 'Tickets and hotel bookings must be in your real name.' } },
  side: 'server',
  rateTier: 'sensitive',
  methods: {
    getRealNameStatus: {
      summary: "Get the user's verification status, masked name and identity token.",
      params: noParams,
      result: obj(
        {
          verified: bool('True when the bank verified the user in person or with an id card.'),
          level: enumOf(['none', 'basic', 'strong'] as const, 'basic: id checked online; strong: verified at a branch or with a bank card.'),
          maskedName: str('The name with all but the last character masked (e.g. *明).', 20),
          identityToken: str('Stable token of the identity for this app: the same person gives the same token, the id number is not recoverable.', 72, {
            pattern: '^idt_[A-Za-z0-9]{32,64}$',
          }),
        },
        ['verified', 'level', 'maskedName', 'identityToken'],
      ),
      userGesture: true,
      errors: ['CONSENT_REQUIRED'],
      examples: [
        {
          title: 'A verified user',
          params: {},
          result: { verified: true, level: 'strong', maskedName: '*明', identityToken: 'idt_Jq8Wm3Zr5Tk1Xp7Vn2Bc9Lh4Df6Gs0Ya' },
        },
      ],
    },
  },
  openApi: [
    {
      method: 'POST',
      path: '/open/v1/member/realname/verify',
      operationId: 'verifyRealName',
      summary: 'Check whether a name and id number belong to the user (yes or no).',
      body: obj(
        {
          openId,
          name: str('The name the user gave.', 40, { minLength: 1 }),
          idNumber: str('The 18-character resident id number the user gave.', 18, { pattern: '^[0-9]{17}[0-9X]$' }),
        },
        ['openId', 'name', 'idNumber'],
      ),
      result: obj({ match: bool('True when both match the verified identity of this user.') }, ['match']),
      errors: ['NOT_FOUND', 'CONSENT_REQUIRED', 'INVALID_STATE'],
      idempotent: true,
    },
  ],
  docs: `# Real-name status

Needs consent to \`scope.realName\`. The bank never hands out a raw id number or full name:

- \`getRealNameStatus\` returns whether and how the user is verified, the name masked except its
  last character, and an \`identityToken\`: the same person gives the same token in your app
  (useful for "one ticket per person"), different tokens in other apps, and the token cannot be
  turned back into an id number.
- \`verifyRealName\` answers only yes or no for a name and id number the user typed (e.g. for a
  passenger), compared against the verified identity by SM3 digest; nothing is stored.
  An unverified user answers \`INVALID_STATE\`.
`,
});
