import { defineCapability } from '../define.ts';
import { enumOf, noParams, obj, str } from '../schemas.ts';

/** `member.userInfo`: nickname, avatar and region, with consent. */
export default defineCapability({
  id: 'member.userInfo',
  title: 'Profile',
  titleZh: '用户信息',
  description: "The user's nickname, avatar and region, shared with the mini-app after consent.",
  scope: { id: 'scope.userInfo', purpose: { zh: '在小程序中显示您的昵称和头像。', en: 'Show your nickname and avatar in the mini-app.' } },
  side: 'server',
  rateTier: 'sensitive',
  methods: {
    getUserInfo: {
      summary: "Get the user's nickname, avatar and region.",
      params: noParams,
      result: obj(
        {
          nickName: str('Display name the user chose.', 32),
          avatarUrl: str('Avatar image URL (https, host CDN).', 512, { pattern: '^https://[^\\s]+$' }),
          province: str('Province of the account (e.g. 上海).', 20),
          city: str('City of the account.', 20),
          language: enumOf(['zh-CN', 'en-US'] as const, 'UI language.'),
        },
        ['nickName', 'avatarUrl', 'province', 'city', 'language'],
      ),
      userGesture: true,
      errors: ['CONSENT_REQUIRED'],
      examples: [
        {
          title: 'Profile',
          params: {},
          result: { nickName: '小百合', avatarUrl: 'https://cdn.lily.example/avatars/a81f.png', province: '上海', city: '上海', language: 'zh-CN' },
        },
      ],
    },
  },
  openApi: [],
  docs: `# Profile

Needs consent to \`scope.userInfo\`. The first call opens the host consent sheet (so it must come
from a user tap); later calls answer at once until the user revokes the consent in settings.
No real name, id number or phone number is included: see \`member.realName\` and \`member.phone\`.

\`\`\`js
const me = await lily.member.userInfo.getUserInfo();
\`\`\`
`,
});
