import { defineCapability } from '../define.ts';
import { int, noParams, obj, openId, str, time } from '../schemas.ts';

const code = str('One-time login code: single use, valid for 5 minutes, only for this app.', 40, { pattern: '^lc_[A-Za-z0-9]{16,36}$' });

/** `member.login`: a one-time code the merchant's server exchanges for the user's openId. */
export default defineCapability({
  id: 'member.login',
  title: 'Login',
  titleZh: '登录',
  description: "Identify the user to the merchant's server: the mini-app gets a one-time code, the server exchanges it for the openId and a session key.",
  side: 'server',
  rateTier: 'standard',
  methods: {
    login: {
      summary: 'Get a one-time login code for this user and app.',
      params: noParams,
      result: obj({ code, expiresAt: time('When the code expires (5 minutes).') }, ['code', 'expiresAt']),
      errors: [],
      examples: [{ title: 'Log in', params: {}, result: { code: 'lc_4Fh8Jk2Lm6Np9Qr3St', expiresAt: 1746072300000 } }],
    },
  },
  openApi: [
    {
      method: 'POST',
      path: '/open/v1/auth/code2session',
      operationId: 'code2Session',
      summary: 'Exchange a login code for the openId and a session key.',
      body: obj({ code }, ['code']),
      result: obj(
        {
          openId,
          sessionKey: str('SM4 key (16 bytes, base64) shared with the bank for this session; decrypts member.phone data. Keep it on the server.', 24, {
            pattern: '^[A-Za-z0-9+/]{22}==$',
          }),
          expiresIn: int('Seconds the session key stays valid.', 60, 2592000),
        },
        ['openId', 'sessionKey', 'expiresIn'],
      ),
      errors: ['NOT_FOUND', 'INVALID_STATE'],
      idempotent: false,
    },
  ],
  docs: `# Login

1. The mini-app calls \`login()\` and sends the \`code\` to its own server (e.g. with
   \`base.request\`).
2. The server calls \`code2Session\` and gets the user's \`openId\` and a \`sessionKey\`, then
   issues its own session token to the mini-app.

- A code works once and for 5 minutes, and only with the credentials of the app it was issued
  to: an unknown or expired code answers \`NOT_FOUND\`, a used one \`INVALID_STATE\`.
- The \`openId\` is stable for this user in this app and different in every other app, so apps
  cannot correlate users. No bank user id or phone number is ever returned here.
- Never send the \`sessionKey\` to the mini-app; it decrypts data shared with consent.

\`\`\`js
const { code } = await lily.member.login.login();
const { data } = await lily.base.request.request({ url: 'https://api.movie.example/session', method: 'POST', data: { code } });
\`\`\`
`,
});
