import { defineCapability } from '../define.ts';
import { enumOf, fen, id, obj, outTradeNo, str, time } from '../schemas.ts';
import { orderId } from './shared.ts';

const agreementId = id('agr', 'Agreement id.');
const limits = {
  perChargeLimit: fen('Largest single charge, in fen (at most 50,000 = 500 yuan).'),
  dailyLimit: fen('Most charged per day, in fen (at most 200,000 = 2,000 yuan).'),
} as const;
const agreementView = obj(
  {
    agreementId,
    scene: enumOf(['ride', 'parking', 'charging', 'rental', 'transit'] as const, 'What the agreement pays for.'),
    status: enumOf(['active', 'terminated'] as const, 'Terminated by the user, the merchant or the bank.'),
    ...limits,
    signedAt: time('When the user signed.'),
    terminatedAt: { type: ['integer', 'null'], minimum: 0, description: 'When it ended, or null.' },
  },
  ['agreementId', 'scene', 'status', 'perChargeLimit', 'dailyLimit', 'signedAt', 'terminatedAt'],
);

/** `payment.agreement`: password-free post-pay under an agreement with limits. */
export default defineCapability({
  id: 'payment.agreement',
  title: 'Password-free payment',
  titleZh: '免密支付',
  description: "Let the merchant charge the user after the service (ride ends, parking exit) without a PIN, under an agreement with per-charge and daily limits.",
  side: 'server',
  rateTier: 'payment',
  confirm: { kind: 'agreement', shows: ['merchant.name', 'scene', 'perChargeLimit', 'dailyLimit'] },
  methods: {
    signAgreement: {
      summary: 'Ask the user to sign a password-free payment agreement (host sheet and PIN).',
      params: obj({ scene: agreementView.properties.scene, ...limits }, ['scene', 'perChargeLimit', 'dailyLimit']),
      result: agreementView,
      userGesture: true,
      errors: ['USER_CANCELLED', 'PIN_INCORRECT', 'PIN_LOCKED', 'PIN_NOT_SET', 'LIMIT_EXCEEDED', 'DUPLICATE'],
      examples: [
        {
          title: 'Ride now, pay at the end',
          params: { scene: 'ride', perChargeLimit: 30000, dailyLimit: 100000 },
          result: { agreementId: 'agr_K8s2Dn5Fm1Qa', scene: 'ride', status: 'active', perChargeLimit: 30000, dailyLimit: 100000, signedAt: 1746072000000, terminatedAt: null },
        },
      ],
    },
  },
  openApi: [
    {
      method: 'POST',
      path: '/open/v1/agreements/{agreementId}/charges',
      operationId: 'chargeAgreement',
      summary: 'Charge the user under an active agreement, within its limits.',
      params: obj({ agreementId }, ['agreementId']),
      body: obj({ outTradeNo, amount: fen('Amount to charge, in fen.'), description: str('What is charged, shown to the user.', 127, { minLength: 1 }) }, ['outTradeNo', 'amount', 'description']),
      result: obj({ orderId, agreementId, amount: fen('Amount charged, in fen.'), status: { const: 'paid', description: 'Always paid.' }, paidAt: time('When.') }, ['orderId', 'agreementId', 'amount', 'status', 'paidAt']),
      errors: ['NOT_FOUND', 'INVALID_STATE', 'LIMIT_EXCEEDED', 'INSUFFICIENT_FUNDS', 'DUPLICATE'],
      idempotent: true,
    },
    {
      method: 'GET',
      path: '/open/v1/agreements/{agreementId}',
      operationId: 'queryAgreement',
      summary: 'Get an agreement and its state.',
      params: obj({ agreementId }, ['agreementId']),
      result: agreementView,
      errors: ['NOT_FOUND'],
      idempotent: true,
    },
    {
      method: 'POST',
      path: '/open/v1/agreements/{agreementId}/terminate',
      operationId: 'terminateAgreement',
      summary: 'End an agreement; no charge is possible afterwards.',
      params: obj({ agreementId }, ['agreementId']),
      body: obj({ reason: str('Why, shown to the user.', 80, { minLength: 1 }) }, ['reason']),
      result: agreementView,
      errors: ['NOT_FOUND'],
      idempotent: true,
    },
  ],
  docs: `# Password-free payment

The user signs once, in a host sheet that shows the merchant, the scene and the limits, and
confirms with the PIN. Afterwards the merchant's server charges finished services with
\`chargeAgreement\`, without the user present.

- Limits: at most 500 yuan per charge and 2,000 yuan per day (the agreement may set less;
  asking for more answers \`LIMIT_EXCEEDED\`). A charge above either limit is refused with
  \`LIMIT_EXCEEDED\` and nothing moves. One active agreement per user, app and scene (\`DUPLICATE\`).
- Each charge creates a paid order (same webhooks and refunds as the cashier); \`outTradeNo\`
  makes it idempotent.
- The user can terminate in the host settings at any time; charges then answer \`INVALID_STATE\`.
`,
});
