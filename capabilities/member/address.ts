import { defineCapability } from '../define.ts';
import { noParams, obj, str } from '../schemas.ts';

/** `member.address`: a shipping address the user picks, with consent. */
export default defineCapability({
  id: 'member.address',
  title: 'Shipping address',
  titleZh: '收货地址',
  description: "Let the user pick one of their saved addresses in a host sheet and share it with the mini-app.",
  scope: { id: 'scope.address', purpose: { zh: '向您寄送票品、纪念品或发票。', en: 'Deliver tickets, souvenirs or invoices to you.' } },
  side: 'server',
  rateTier: 'sensitive',
  methods: {
    chooseAddress: {
      summary: 'Open the host address picker and return the chosen address.',
      params: noParams,
      result: obj(
        {
          recipientName: str('Recipient.', 40),
          phoneNumber: str('Recipient phone.', 20, { pattern: '^\\+?[0-9 -]{5,20}$' }),
          province: str('Province.', 20),
          city: str('City.', 20),
          district: str('District.', 20),
          detail: str('Street, building, room.', 120),
          postalCode: str('Postal code.', 6, { pattern: '^[0-9]{6}$' }),
        },
        ['recipientName', 'phoneNumber', 'province', 'city', 'district', 'detail', 'postalCode'],
      ),
      userGesture: true,
      errors: ['CONSENT_REQUIRED', 'USER_CANCELLED'],
      examples: [
        {
          title: 'Deliver to the office',
          params: {},
          result: { recipientName: '李明', phoneNumber: '13800138000', province: '上海市', city: '上海市', district: '黄浦区', detail: '人民大道200号 8楼', postalCode: '200003' },
        },
      ],
    },
  },
  openApi: [],
  docs: `# Shipping address

Needs consent to \`scope.address\`. Each call opens the host picker; only the address the user
picks is shared, never the whole address book. The user may add or edit addresses in the picker.
`,
});
