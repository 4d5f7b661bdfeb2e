import { SCOPES, defineCapability, type ScopeId } from '../define.ts';
import { arr, enumOf, noParams, obj, str } from '../schemas.ts';

const SCOPE_IDS = Object.keys(SCOPES) as ScopeId[];
const scope = enumOf(SCOPE_IDS, 'A consent scope.');
const expiresAt = { type: ['integer', 'null'], minimum: 0, description: 'When the consent lapses (ms since epoch), or null when not granted.' } as const;
const setting = obj(
  {
    scope,
    status: enumOf(['granted', 'denied', 'expired'] as const, 'granted; denied (asked and refused, or revoked); expired.'),
    purpose: str('The purpose the user agreed to.', 200),
    expiresAt,
  },
  ['scope', 'status', 'purpose', 'expiresAt'],
  "This app's consent for one scope.",
);
const settings = obj({ scopes: arr(setting, 16, "Scopes this app has asked for, with the user's answer.") }, ['scopes']);
const EXAMPLE = { scopes: [{ scope: 'scope.location', status: 'granted', purpose: '为你查找附近的上车点。', expiresAt: 1777608000000 }] } as const;

/** `member.authorize`: ask for consent ahead of time, and read or change it. */
export default defineCapability({
  id: 'member.authorize',
  title: 'Consent',
  titleZh: '授权',
  description: 'Ask the user for a consent scope ahead of use, read which scopes this app holds, and open the host consent settings.',
  side: 'server',
  rateTier: 'standard',
  methods: {
    authorize: {
      summary: 'Ask the user for a scope now (host consent sheet); resolves with their answer.',
      params: obj({ scope }, ['scope']),
      result: obj({ scope, status: enumOf(['granted', 'denied'] as const, "The user's answer."), expiresAt }, ['scope', 'status', 'expiresAt']),
      userGesture: true,
      errors: ['PERMISSION_DENIED'],
      examples: [{ title: 'Ask for location before the map', params: { scope: 'scope.location' }, result: { scope: 'scope.location', status: 'granted', expiresAt: 1777608000000 } }],
    },
    getSetting: {
      summary: "List this app's consents for the user.",
      params: noParams,
      result: settings,
      errors: [],
      examples: [{ title: 'Location granted', params: {}, result: EXAMPLE }],
    },
    openSetting: {
      summary: 'Open the host consent settings for this app; resolves with the settings when the user closes them.',
      params: noParams,
      result: settings,
      userGesture: true,
      errors: [],
      examples: [{ title: 'User reviews the settings', params: {}, result: EXAMPLE }],
    },
  },
  openApi: [],
  docs: `# Consent

Scoped capabilities ask for consent by themselves on first use; \`authorize\` asks earlier, for
example before a screen that needs location. The host sheet shows the app, the scope, the
capability's purpose and the reason in your manifest.

- A consent lasts a year, then lapses (\`expired\`) and is asked again.
- A user who refused is not asked again by \`authorize\` or the capability: the call answers
  \`denied\` / \`CONSENT_REQUIRED\` at once. Offer \`openSetting\` (on a tap) so they can change
  their mind.
- Asking for a scope of a capability the app was not granted answers \`PERMISSION_DENIED\`.
- Users revoke consents in the host settings at any time; it takes effect at once.

\`\`\`js
const { status } = await lily.member.authorize.authorize({ scope: 'scope.location' });
\`\`\`
`,
});
