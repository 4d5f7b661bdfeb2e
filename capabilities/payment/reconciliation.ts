import { defineCapability } from '../define.ts';
import { arr, date, enumOf, fenOrZero, int, obj, str, time } from '../schemas.ts';
import { orderId } from './shared.ts';

const signedFen = (description: string) => ({ type: 'integer', minimum: -10_000_000_000, maximum: 10_000_000_000, description }) as const;

const entry = obj(
  {
    type: enumOf(['payment', 'refund', 'capture', 'split', 'escrow', 'fee'] as const, 'Kind of movement.'),
    id: str('Id of the order, refund, hold or split.', 48),
    orderId,
    outTradeNo: str("The merchant's order number.", 64),
    amount: signedFen('Signed amount in fen: positive to the merchant, negative from it.'),
    feeAmount: fenOrZero('Bank fee on this entry, in fen.'),
    at: time('When it was booked.'),
  },
  ['type', 'id', 'orderId', 'outTradeNo', 'amount', 'feeAmount', 'at'],
  'One booked movement.',
);

/** `payment.reconciliation`: the daily statement, with an SM3 checksum. */
export default defineCapability({
  id: 'payment.reconciliation',
  title: 'Reconciliation statements',
  titleZh: '对账单',
  description: "Download the app's daily statement of payments, refunds, captures, splits and fees as JSON or CSV, with an SM3 checksum.",
  side: 'server',
  rateTier: 'standard',
  methods: {},
  openApi: [
    {
      method: 'GET',
      path: '/open/v1/reconciliation/statements/{date}',
      operationId: 'getStatement',
      summary: 'Get the statement of one day (China Standard Time), ready from 09:00 the next day.',
      params: obj(
        {
          date: date('The day, YYYY-MM-DD in China Standard Time.'),
          format: enumOf(['json', 'csv'] as const, 'json (default): entries as objects; csv: one CSV text.'),
          type: enumOf(['all', 'payment', 'refund'] as const, 'Which entries (default all).'),
        },
        ['date'],
      ),
      result: obj(
        {
          date: date('The day.'),
          format: enumOf(['json', 'csv'] as const, 'The format returned.'),
          count: int('Number of entries.', 0, 1_000_000),
          totals: obj(
            {
              paymentAmount: fenOrZero('Payments and captures, in fen.'),
              refundAmount: fenOrZero('Refunds, in fen.'),
              feeAmount: fenOrZero('Bank fees, in fen.'),
              netAmount: { ...signedFen('Payments minus refunds, splits and fees, in fen.') },
            },
            ['paymentAmount', 'refundAmount', 'feeAmount', 'netAmount'],
            'Sums of the entries.',
          ),
          sm3: str('SM3 of the statement bytes (the CSV text, or the JSON entries array serialized without spaces), hex.', 64, { pattern: '^[0-9a-f]{64}$' }),
          entries: arr(entry, 1_000_000, 'The entries (format json), oldest first.'),
          csv: str('The statement as CSV with a header row (format csv), UTF-8.', 200 * 1024 * 1024),
        },
        ['date', 'format', 'count', 'totals', 'sm3'],
      ),
      errors: ['INVALID_STATE', 'NOT_FOUND'],
      idempotent: true,
    },
  ],
  docs: `# Reconciliation statements

One statement per app, per environment and per day (00:00–24:00 China Standard Time), generated
from the ledger after the day closes and ready from 09:00 the next day; earlier requests answer
\`INVALID_STATE\`. A day before the app existed answers \`NOT_FOUND\`.

- Every money movement of the day appears once, with its signed amount (positive to the
  merchant) and fee; \`totals\` add them up, and \`netAmount\` is what was settled.
- \`sm3\` is the SM3 digest of the exact statement bytes: the CSV text for \`csv\`, or the
  \`entries\` array serialized as compact JSON for \`json\`. Compare it before importing.
- CSV columns: \`type,id,orderId,outTradeNo,amount,feeAmount,at\`; amounts in fen.
- \`escrow\` entries are funds placed under supervision (negative) and milestones released to you
  (positive).
- A statement never changes once published; late corrections appear on the day they are booked.
`,
});
