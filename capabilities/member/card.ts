import { defineCapability } from '../define.ts';
import { arr, bool, enumOf, httpsUrl, id, int, noParams, obj, openId, str, time } from '../schemas.ts';

const templateId = id('ct', 'Card template id.');
const cardId = id('mc', 'Membership card id (one per user and template).');
const level = str('Level shown on the card (e.g. 金卡).', 20);
const cardView = obj(
  {
    cardId,
    templateId,
    title: str('Card title from the template.', 30),
    code: str('Membership number shown as a barcode.', 32, { pattern: '^[A-Za-z0-9-]{4,32}$' }),
    level,
    points: int('Merchant points on the card.', 0, 1_000_000_000),
    addedAt: time('When the user added it.'),
  },
  ['cardId', 'templateId', 'title', 'code', 'level', 'points', 'addedAt'],
  'A membership card in the user’s card pack.',
);
const EXAMPLE = { cardId: 'mc_Lk9Jh7Gf5Ds3', templateId: 'ct_Cinema88Gold', title: '星光影城会员卡', code: '8800-1234-5678', level: '金卡', points: 320, addedAt: 1746072000000 } as const;

/** `member.card`: merchant membership cards in the host's card pack. */
export default defineCapability({
  id: 'member.card',
  title: 'Membership cards',
  titleZh: '会员卡',
  description: "Put the merchant's membership card into the user's card pack in the host, and keep its level and points up to date.",
  side: 'server',
  rateTier: 'standard',
  confirm: { kind: 'card', shows: ['template.title', 'template.logo', 'merchant.name'] },
  methods: {
    addCard: {
      summary: 'Add a membership card of a template to the user’s card pack, after they confirm.',
      params: obj({ templateId, code: { ...cardView.properties.code, description: 'The membership number to show; omit to let the bank assign one.' } }, ['templateId']),
      result: cardView,
      userGesture: true,
      errors: ['NOT_FOUND', 'INVALID_STATE', 'USER_CANCELLED', 'DUPLICATE'],
      examples: [{ title: 'Join the cinema club', params: { templateId: 'ct_Cinema88Gold' }, result: EXAMPLE }],
    },
    getCards: {
      summary: "List this app's cards in the user's card pack.",
      params: noParams,
      result: obj({ cards: arr(cardView, 20, 'Cards of this app’s templates.') }, ['cards']),
      confirm: null,
      errors: [],
      examples: [{ title: 'One card', params: {}, result: { cards: [EXAMPLE] } }],
    },
  },
  openApi: [
    {
      method: 'POST',
      path: '/open/v1/member/card-templates',
      operationId: 'createCardTemplate',
      summary: 'Define a membership card template (reviewed by the bank before use).',
      body: obj(
        {
          title: str('Card title.', 30, { minLength: 1 }),
          logoUrl: httpsUrl('Logo, square PNG, on a manifest domain.'),
          color: enumOf(['red', 'orange', 'gold', 'green', 'blue', 'purple', 'black'] as const, 'Card background.'),
          benefits: arr(str('One benefit line.', 40), 10, 'Benefits shown on the back.'),
          hasPoints: bool('Show a points field.'),
        },
        ['title', 'logoUrl', 'color'],
      ),
      result: obj({ templateId, status: enumOf(['pending_review', 'active', 'rejected'] as const, 'Review state.') }, ['templateId', 'status']),
      errors: ['LIMIT_EXCEEDED'],
      idempotent: false,
    },
    {
      method: 'PUT',
      path: '/open/v1/member/cards/{cardId}',
      operationId: 'updateCard',
      summary: "Update a user's card: level and points.",
      params: obj({ cardId }, ['cardId']),
      body: obj({ level, points: cardView.properties.points, openId }, ['openId']),
      result: cardView,
      errors: ['NOT_FOUND', 'INVALID_STATE'],
      idempotent: true,
    },
  ],
  docs: `# Membership cards

The merchant defines a template (\`createCardTemplate\`, reviewed by bank ops; \`INVALID_STATE\`
until approved); the user adds a card from the mini-app after confirming in a host sheet that
shows the card and the merchant; one card per user and template (\`DUPLICATE\`). The card then
lives in the host's card pack, where the user can show its barcode or remove it.

- \`updateCard\` sets the level and merchant points shown on the card; the \`openId\` must be the
  card's owner. Merchant points on a card are the merchant's own, unlike bank points
  (\`member.points\`).
- A removed card answers \`NOT_FOUND\` to updates.
`,
});
