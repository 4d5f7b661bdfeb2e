import { defineCapability } from '../define.ts';
import { enumOf, noParams, obj, str } from '../schemas.ts';

/** `member.invoice`: an invoice title the user picks, with consent. */
export default defineCapability({
  id: 'member.invoice',
  title: 'Invoice title',
  titleZh: '发票抬头',
  description: 'Let the user pick a saved invoice title (personal or company) so the merchant can issue a fapiao.',
  scope: { id: 'scope.invoice', purpose: { zh: '为您自动填写开票信息。', en: 'Fill in your invoice details for you.' } },
  side: 'server',
  rateTier: 'sensitive',
  methods: {
    chooseInvoiceTitle: {
      summary: 'Open the host invoice title picker and return the chosen title.',
      params: noParams,
      result: obj(
        {
          type: enumOf(['personal', 'company'] as const, 'Personal or company title.'),
          title: str('The title: a person or company name.', 100),
          taxNumber: str('Unified social credit code (companies; empty for personal).', 20, { pattern: '^([0-9A-Z]{15,20})?$' }),
          companyAddress: str('Registered address (optional, companies).', 120),
          telephone: str('Company telephone (optional).', 20),
          bankName: str('Company bank (optional).', 60),
          bankAccount: str('Company bank account (optional).', 32),
        },
        ['type', 'title', 'taxNumber', 'companyAddress', 'telephone', 'bankName', 'bankAccount'],
      ),
      userGesture: true,
      errors: ['CONSENT_REQUIRED', 'USER_CANCELLED'],
      examples: [
        {
          title: 'A company title',
          params: {},
          result: { type: 'company', title: '上海百合科技有限公司', taxNumber: '91310000MA1K3XYZ2A', companyAddress: '', telephone: '', bankName: '', bankAccount: '' },
        },
      ],
    },
  },
  openApi: [],
  docs: `# Invoice title

Needs consent to \`scope.invoice\`. The user picks one saved title in a host sheet; optional
company fields are empty strings when not saved. The merchant issues the fapiao; the bank only
shares the title.
`,
});
