import { defineCapability } from '../define.ts';
import { arr, bool, enumOf, obj, str } from '../schemas.ts';

const codeType = enumOf(['qrCode', 'barCode'] as const, 'Kind of code.');

/** `base.scan`: the host scanner. */
export default defineCapability({
  id: 'base.scan',
  title: 'Scan code',
  titleZh: '扫码',
  description: 'Scan a QR code or barcode with the host scanner (camera, or a typed code where there is no camera).',
  side: 'host',
  rateTier: 'light',
  methods: {
    scanCode: {
      summary: 'Open the host scanner and return the code the user scanned.',
      params: obj(
        {
          onlyFromCamera: bool('Hide the "from album" and "type the code" options (default false).'),
          scanType: { ...arr(codeType, 2, 'Accepted kinds (default both).'), minItems: 1, uniqueItems: true },
        },
        [],
      ),
      result: obj(
        {
          result: str('The decoded text.', 2048),
          scanType: codeType,
          lilyPath: {
            type: ['string', 'null'],
            maxLength: 256,
            description: 'When the code is a Lily code for this mini-app, the page it points to; else null.',
          },
        },
        ['result', 'scanType', 'lilyPath'],
      ),
      errors: ['USER_CANCELLED', 'UNAVAILABLE'],
      examples: [
        { title: 'A ticket QR code', params: { scanType: ['qrCode'] }, result: { result: 'TKT-20250501-0007', scanType: 'qrCode', lilyPath: null } },
      ],
    },
  },
  openApi: [],
  docs: `# Scan code

Opens the host scanner. The camera image never reaches the mini-app, only the decoded text.

- Where the device has no camera (desktop, headless host) the scanner offers to type the code.
- A payment code is not for mini-apps: use \`payment.qrcode.scanToPay\`, which keeps the code in
  the host and goes straight to the cashier.
- The user may close the scanner: \`USER_CANCELLED\`.

\`\`\`js
const { result } = await lily.base.scan.scanCode({ scanType: ['qrCode'] });
\`\`\`
`,
});
