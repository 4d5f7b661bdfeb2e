import { defineCapability } from '../define.ts';
import { arr, enumOf, id, obj, openId, pagePath, str, time } from '../schemas.ts';

const templateId = str('A message template approved for this app.', 40, { pattern: '^tpl_[A-Za-z0-9]{6,36}$' });

/** `marketing.subscribe`: one-time message subscriptions on a tap, and sending to the inbox. */
export default defineCapability({
  id: 'marketing.subscribe',
  title: 'Subscription messages',
  titleZh: '订阅消息',
  description: "Ask the user, on a tap, to receive messages from approved templates; the merchant's server then sends them to the user's inbox in the host.",
  side: 'server',
  rateTier: 'standard',
  methods: {
    requestSubscribe: {
      summary: 'Ask the user to accept up to 3 message templates (host sheet, only on a tap).',
      params: obj({ templateIds: { ...arr(templateId, 3, 'Templates to ask for, 1 to 3.'), minItems: 1, uniqueItems: true } }, ['templateIds']),
      result: obj(
        { results: arr(obj({ templateId, status: enumOf(['accept', 'reject', 'ban'] as const, 'ban: the user turned off all messages from this app.') }, ['templateId', 'status'], 'The answer for one template.'), 3, 'One answer per template.') },
        ['results'],
      ),
      userGesture: true,
      errors: ['NOT_FOUND', 'USER_CANCELLED'],
      examples: [
        {
          title: 'Trip updates',
          params: { templateIds: ['tpl_RideArrived', 'tpl_RideReceipt'] },
          result: { results: [{ templateId: 'tpl_RideArrived', status: 'accept' }, { templateId: 'tpl_RideReceipt', status: 'reject' }] },
        },
      ],
    },
  },
  openApi: [
    {
      method: 'POST',
      path: '/open/v1/marketing/messages',
      operationId: 'sendMessage',
      summary: "Send one message from a template the user accepted to the user's inbox.",
      body: obj(
        {
          openId,
          templateId,
          data: {
            type: 'object',
            additionalProperties: { type: 'string', maxLength: 40 },
            propertyNames: { type: 'string', pattern: '^[a-z][a-zA-Z0-9]{0,31}$', maxLength: 32 },
            maxProperties: 10,
            description: "Values for the template's fields (plain text, up to 40 characters each).",
          },
          page: { ...pagePath, description: 'The page the message opens.' },
        },
        ['openId', 'templateId', 'data'],
      ),
      result: obj({ messageId: id('msg', 'Message id.'), deliveredAt: time('When it reached the inbox.') }, ['messageId', 'deliveredAt']),
      errors: ['NOT_FOUND', 'CONSENT_REQUIRED', 'INVALID_PARAMS'],
      idempotent: false,
    },
  ],
  docs: `# Subscription messages

Messages are one-time subscriptions, as users know them from other super-apps:

1. On a user tap the mini-app calls \`requestSubscribe\`; the host lists the templates (title and
   example, approved by bank ops) and the user accepts or rejects each. Outside a tap the host
   refuses. Unknown or unapproved templates answer \`NOT_FOUND\`.
2. Each accept allows **one** \`sendMessage\` of that template to that user. Without an unused
   accept the call answers \`CONSENT_REQUIRED\`.
3. The message appears in the host inbox at once (live, over the host's connection), and tapping
   it opens \`page\`. \`data\` must fill exactly the template's fields (\`INVALID_PARAMS\`).

Marketing content is not allowed in service templates; users can turn off an app's messages.
`,
});
