import { defineCapability } from '../define.ts';
import { arr, cursor, enumOf, id, int, limit, nextCursor, obj, str, time } from '../schemas.ts';

const notificationId = id('ntf', 'Notification id (also the webhook body id).');
const eventType = enumOf(
  ['payment.succeeded', 'refund.succeeded', 'refund.failed', 'hold.authorized', 'hold.captured', 'hold.released', 'agreement.signed', 'agreement.terminated', 'escrow.released', 'message.delivered'] as const,
  'What happened.',
);

const notification = obj(
  {
    notificationId,
    eventType,
    resourceId: str('Id of the order, refund, hold, agreement, escrow or message it is about.', 48),
    status: enumOf(['pending', 'delivered', 'acknowledged', 'failed'] as const, 'pending: retrying; delivered: your endpoint answered 2xx; failed: retries exhausted.'),
    attempts: int('Delivery attempts so far.', 0, 100),
    createdAt: time('When the event happened.'),
    nextAttemptAt: { type: ['integer', 'null'], minimum: 0, description: 'When the next retry is due, or null.' },
  },
  ['notificationId', 'eventType', 'resourceId', 'status', 'attempts', 'createdAt', 'nextAttemptAt'],
  'A webhook notification in the outbox.',
);

/** `payment.notify`: signed, enveloped webhooks from a persisted outbox, and their catch-up API. */
export default defineCapability({
  id: 'payment.notify',
  title: 'Payment notifications',
  titleZh: '支付结果通知',
  description: 'Signed, encrypted webhooks for payment, refund and other events, retried with backoff until acknowledged, plus an API to catch up.',
  side: 'server',
  rateTier: 'standard',
  methods: {},
  openApi: [
    {
      method: 'GET',
      path: '/open/v1/notifications',
      operationId: 'listNotifications',
      summary: 'List notifications not yet acknowledged (or all), oldest first.',
      params: obj({ status: enumOf(['unacknowledged', 'failed', 'all'] as const, 'Which to list (default unacknowledged).'), limit, cursor }, []),
      result: obj({ notifications: arr(notification, 100, 'Oldest first.'), nextCursor }, ['notifications', 'nextCursor']),
      errors: [],
      idempotent: true,
    },
    {
      method: 'POST',
      path: '/open/v1/notifications/{notificationId}/ack',
      operationId: 'acknowledgeNotification',
      summary: 'Mark a notification handled so it is not delivered again.',
      params: obj({ notificationId }, ['notificationId']),
      result: obj({ notificationId, acknowledgedAt: time('When it was first acknowledged.') }, ['notificationId', 'acknowledgedAt']),
      errors: ['NOT_FOUND'],
      idempotent: true,
    },
  ],
  docs: `# Payment notifications

Every money event writes a notification to a persisted outbox in the same transaction, so none is
lost. The bank then POSTs it to the app's webhook URL (or the order's \`notifyUrl\`):

\`\`\`http
POST /your/webhook
Content-Type: application/json
Lily-Serial: <bank certificate serial>
Lily-Timestamp: 1746072031
Lily-Nonce: 5K8264ILTKCH16CQ2502SI8ZNMTM67VS
Lily-Signature: <SM2 signature, base64, over "TIMESTAMP\\nNONCE\\nBODY\\n">

{"id":"ntf_…","eventType":"payment.succeeded","createdAt":1746072031000,
 "resource":{"algorithm":"SM4-GCM","encryptedKey":"<SM4 key wrapped with your SM2 public key>",
             "nonce":"<12 bytes, base64>","ciphertext":"<the order, refund, … as JSON>"}}
\`\`\`

1. Verify the signature with the bank's public key and reject timestamps more than 300 s away.
2. Unwrap the key with your SM2 private key (C1C3C2) and decrypt the resource (SM4-GCM).
3. Process it idempotently (the same \`id\` may arrive more than once), then answer 2xx.

Anything but 2xx within 5 s is retried with backoff: 15 s, 15 s, 30 s, 3 min, 10 min, 20 min,
30 min, then every hour until 24 h have passed; then the notification is \`failed\`. Every attempt
is kept and shown in the merchant portal, which can also resend. A 2xx marks it
\`delivered\`; \`acknowledgeNotification\` marks it \`acknowledged\`. If your endpoint was down, call
\`listNotifications\` to catch up and acknowledge what you processed.
`,
});
