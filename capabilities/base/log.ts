import { defineCapability } from '../define.ts';
import { enumOf, obj, okResult, str } from '../schemas.ts';

const logData = {
  type: 'object',
  additionalProperties: { type: ['string', 'number', 'boolean', 'null'], maxLength: 1000 },
  maxProperties: 20,
  description: 'Up to 20 structured fields (strings up to 1000 characters, numbers, booleans).',
} as const;

/** `base.log`: mini-app logs and errors for the merchant's console and bank ops. */
export default defineCapability({
  id: 'base.log',
  title: 'Logs and error reports',
  titleZh: '日志与错误上报',
  description: "Send log lines and error reports to the merchant's console and to bank ops.",
  side: 'server',
  rateTier: 'light',
  methods: {
    log: {
      summary: 'Write one log line.',
      params: obj(
        {
          level: enumOf(['debug', 'info', 'warn', 'error'] as const, 'Severity (default info).'),
          message: str('The text, up to 2000 characters.', 2000, { minLength: 1 }),
          data: logData,
        },
        ['message'],
      ),
      result: okResult,
      errors: [],
      examples: [{ title: 'A step of the booking flow', params: { level: 'info', message: 'seat map loaded', data: { showId: 's_9912', ms: 182 } }, result: { ok: true } }],
    },
    reportError: {
      summary: 'Report an error the mini-app caught, with its stack.',
      params: obj(
        {
          name: str('Error name, e.g. TypeError.', 100),
          message: str('Error message.', 1000, { minLength: 1 }),
          stack: str('Stack trace.', 8000),
          page: str('The page where it happened.', 256),
          data: logData,
        },
        ['message'],
      ),
      result: obj({ ok: { const: true, description: 'Always true.' }, errorId: str('Id of the stored report, to quote to support.', 40) }, ['ok', 'errorId']),
      errors: [],
      examples: [
        {
          title: 'An uncaught error in a handler',
          params: { name: 'TypeError', message: "Cannot read properties of undefined (reading 'fare')", page: 'pages/ride/quote' },
          result: { ok: true, errorId: 'log_3fK9a2LmQ8' },
        },
      ],
    },
  },
  openApi: [],
  docs: `# Logs and error reports

Lines land in the \`app_logs\` store, tagged with the app, the version, the instance and the
user's openId (never the bank user id), and show in the merchant's console; error reports also
reach bank ops' dashboard.

- The light rate tier applies (see the rate tiers in the catalog); a noisy mini-app gets
  \`RATE_LIMITED\` and should log less, not retry.
- Never log personal data, tokens or anything the user typed into a form.
- \`console.*\` inside the sandbox stays on the device; use \`log\` for what you want to read later.

\`\`\`js
try { await book(); } catch (e) { await lily.base.log.reportError({ name: e.name, message: e.message, stack: e.stack }); }
\`\`\`
`,
});
