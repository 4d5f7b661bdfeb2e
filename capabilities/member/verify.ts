import { defineCapability } from '../define.ts';
import { bool, enumOf, obj, openId, str, time } from '../schemas.ts';

const verificationToken = str('Single-use proof that the user just verified, valid 5 minutes.', 48, { pattern: '^vt_[A-Za-z0-9]{16,40}$' });
const method = enumOf(['pin', 'otp'] as const, 'How the user verified: payment PIN or a one-time code by SMS.');
const reason = str('What the verification is for, shown to the user (e.g. 修改绑定手机号).', 40, { minLength: 2 });

/** `member.verify`: step-up verification for sensitive actions. */
export default defineCapability({
  id: 'member.verify',
  title: 'Step-up verification',
  titleZh: '身份核验',
  description: 'Ask the user to confirm it is really them (PIN or one-time code) before a sensitive action; the merchant server checks the resulting token.',
  side: 'server',
  rateTier: 'sensitive',
  confirm: { kind: 'verification', shows: ['reason', 'merchant.name'] },
  methods: {
    requestVerification: {
      summary: 'Ask the user to verify (PIN or one-time code) and get a single-use token.',
      params: obj({ reason, method: { ...method, description: 'Preferred method (default pin; otp when no PIN is set).' } }, ['reason']),
      result: obj({ verificationToken, method, expiresAt: time('When the token expires.') }, ['verificationToken', 'method', 'expiresAt']),
      userGesture: true,
      errors: ['USER_CANCELLED', 'PIN_INCORRECT', 'PIN_LOCKED'],
      examples: [
        {
          title: 'Before changing the contact phone',
          params: { reason: '修改联系手机号' },
          result: { verificationToken: 'vt_Mz8Xc6Vb4Nm2Lk0Jh9Gf', method: 'pin', expiresAt: 1746072300000 },
        },
      ],
    },
  },
  openApi: [
    {
      method: 'POST',
      path: '/open/v1/member/verifications/check',
      operationId: 'checkVerification',
      summary: 'Check and consume a verification token.',
      body: obj({ verificationToken, openId }, ['verificationToken', 'openId']),
      result: obj(
        { valid: bool('True when the token is genuine, unexpired, unused and belongs to this openId.'), method, reason, verifiedAt: time('When the user verified.') },
        ['valid', 'method', 'reason', 'verifiedAt'],
      ),
      errors: ['NOT_FOUND'],
      idempotent: false,
    },
  ],
  docs: `# Step-up verification

For actions where a logged-in session is not enough: changing a payout account, showing a ticket
code, cancelling a large booking.

1. On a tap, the mini-app calls \`requestVerification({reason})\`; the host shows the reason and
   the merchant and asks for the PIN (or an SMS code).
2. The mini-app sends the token to its server, which calls \`checkVerification\` before acting.

A token works once (\`valid: false\` the second time) and only for 5 minutes and the same openId.
Unknown tokens answer \`NOT_FOUND\`. Wrong PINs count towards the payment PIN lockout.
`,
});
