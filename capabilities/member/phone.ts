import { defineCapability } from '../define.ts';
import { noParams, obj, str } from '../schemas.ts';

const phoneCode = str('One-time code the merchant server exchanges for the number (5 minutes).', 40, { pattern: '^pc_[A-Za-z0-9]{16,36}$' });

/** `member.phone`: the user's phone number, with consent, encrypted to the session key. */
export default defineCapability({
  id: 'member.phone',
  title: 'Phone number',
  titleZh: '手机号',
  description: 'The phone number bound to the bank account, shared after consent: encrypted for the merchant server, or as a one-time exchange code.',
  scope: { id: 'scope.phone', purpose: { zh: '便于商户就您的订单与您联系。', en: 'Let the merchant contact you about your order.' } },
  side: 'server',
  rateTier: 'sensitive',
  methods: {
    getPhoneNumber: {
      summary: 'Get the phone number, encrypted with the session key, plus an exchange code.',
      params: noParams,
      result: obj(
        {
          encryptedData: str('SM4-CBC ciphertext (base64) of {"phoneNumber","purePhoneNumber","countryCode","openId","timestamp"} under the sessionKey.', 512, {
            pattern: '^[A-Za-z0-9+/]+={0,2}$',
          }),
          iv: str('16-byte IV, base64.', 24, { pattern: '^[A-Za-z0-9+/]{22}==$' }),
          phoneCode,
        },
        ['encryptedData', 'iv', 'phoneCode'],
      ),
      userGesture: true,
      errors: ['CONSENT_REQUIRED', 'UNAUTHENTICATED'],
      examples: [
        {
          title: 'Share the number',
          params: {},
          result: {
            encryptedData: 'm3Xb8q0m6n5Jp0kqDk3vQy6B1yF8mZ0pR9nY2sWv4tQxH7cL1aE5uJ9oK2dG6fB3',
            iv: 'r7Qe2m9Kx4Lp8Vn1Bz6Tcw==',
            phoneCode: 'pc_8Hj3Kl5Mn7Pq9Rs2Tu4V',
          },
        },
      ],
    },
  },
  openApi: [
    {
      method: 'POST',
      path: '/open/v1/member/phone',
      operationId: 'exchangePhoneCode',
      summary: 'Exchange a phone code for the phone number.',
      body: obj({ phoneCode }, ['phoneCode']),
      result: obj(
        {
          phoneNumber: str('The number with country code, e.g. +8613800138000.', 20, { pattern: '^\\+[0-9]{6,18}$' }),
          purePhoneNumber: str('The number without country code.', 16, { pattern: '^[0-9]{5,16}$' }),
          countryCode: str('Country calling code without +.', 4, { pattern: '^[0-9]{1,4}$' }),
        },
        ['phoneNumber', 'purePhoneNumber', 'countryCode'],
      ),
      errors: ['NOT_FOUND', 'INVALID_STATE', 'CONSENT_REQUIRED'],
      idempotent: false,
    },
  ],
  docs: `# Phone number

Needs consent to \`scope.phone\`, asked in a host sheet on a user tap. The number never
reaches the mini-app in clear. Two ways for the merchant's server to read it:

- **Decrypt** \`encryptedData\` with SM4-CBC (PKCS#7 padding), the \`sessionKey\` from
  \`member.login\` and \`iv\`; check that \`openId\` matches the session. Needs a fresh session
  (\`UNAUTHENTICATED\` when there is none: call \`login\` first).
- **Exchange** \`phoneCode\` with \`exchangePhoneCode\`: single use, 5 minutes; a revoked consent
  answers \`CONSENT_REQUIRED\`.

Store the number only if you need it, and delete it when the user revokes the consent.
`,
});
