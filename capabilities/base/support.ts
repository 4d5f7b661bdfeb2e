import { defineCapability } from '../define.ts';
import { arr, bool, enumOf, int, obj, str } from '../schemas.ts';

const answer = obj(
  {
    title: str('What the answer is about.', 120),
    text: str('The answer, plain text.', 800),
    source: enumOf(['faq', 'capability', 'method'] as const, 'Where it comes from: the FAQ, a capability page or a method.'),
    capabilityId: { type: ['string', 'null'], maxLength: 64, description: 'The capability it is about, or null for a general FAQ.' },
    link: str('Link to the page in the developer center or help.', 256),
    score: { type: 'number', minimum: 0, maximum: 1000, description: 'Relevance (BM25); higher is better.' },
  },
  ['title', 'text', 'source', 'capabilityId', 'link', 'score'],
  'One answer.',
);

/** `base.support`: an FAQ assistant over the catalog, with hand-off to a person. */
export default defineCapability({
  id: 'base.support',
  title: 'Customer service',
  titleZh: '客服',
  description: 'Answers questions from an index of the FAQ and the capability docs, and hands the conversation to a person on request.',
  side: 'server',
  rateTier: 'standard',
  methods: {
    openCustomerService: {
      summary: 'Ask a question; get ranked answers, or a ticket for a person with handoff.',
      params: obj(
        {
          question: str('The question, in Chinese or English.', 500, { minLength: 1 }),
          handoff: bool('Also open (or add to) a ticket for the bank’s service team (default false).'),
          limit: int('How many answers to return (default 3).', 1, 5),
        },
        ['question'],
      ),
      result: obj(
        {
          answers: arr(answer, 5, 'Best answers first; empty when nothing matches.'),
          ticketId: { type: ['string', 'null'], maxLength: 40, description: 'The ticket when handoff was asked, else null.' },
          queuePosition: { type: ['integer', 'null'], minimum: 1, maximum: 100000, description: 'Open tickets ahead of and including this one, or null.' },
        },
        ['answers', 'ticketId', 'queuePosition'],
      ),
      errors: ['LIMIT_EXCEEDED'],
      examples: [
        {
          title: 'How do refunds work?',
          params: { question: '退款多久到账？' },
          result: {
            answers: [
              {
                title: '退款多久到账？',
                text: '退款原路退回：钱包余额即时到账，银行卡一般 1–3 个工作日。',
                source: 'faq',
                capabilityId: 'payment.refund',
                link: '/dev/capabilities/payment.refund',
                score: 7.42,
              },
            ],
            ticketId: null,
            queuePosition: null,
          },
        },
        {
          title: 'Talk to a person',
          params: { question: '我的订单付款成功但是商家显示未支付', handoff: true, limit: 1 },
          result: {
            answers: [
              {
                title: '付款成功但商家显示未支付怎么办？',
                text: '商家会在几分钟内收到支付通知；若仍未更新，请联系人工客服并提供订单号。',
                source: 'faq',
                capabilityId: 'payment.notify',
                link: '/dev/capabilities/payment.notify',
                score: 9.18,
              },
            ],
            ticketId: 'tk_Q3w8Zr51Lp0a',
            queuePosition: 4,
          },
        },
      ],
    },
  },
  openApi: [],
  docs: `# Customer service

\`openCustomerService\` powers the host's service chat for a mini-app. Answers come from a BM25
index over the platform FAQ, the capability docs and the method summaries of this catalog, so
they never go stale with the catalog. Chinese questions are matched by character bigrams,
English ones by words.

- With \`handoff: true\` the question also goes to the bank's service team: it opens a ticket
  for this user and app (or adds to the open one) and returns its id and queue position. Ops pick
  tickets up from their queue and answer in the host chat.
- An open ticket holds at most 50 messages (\`LIMIT_EXCEEDED\`); wait for the team to answer.
- Tickets carry the user's openId and the app id, never other personal data; do not ask users to
  type card numbers or PINs.

\`\`\`js
const { answers } = await lily.base.support.openCustomerService({ question: '怎么开发票？' });
\`\`\`
`,
});
