import { defineCapability } from '../define.ts';
import { int, obj, pagePath } from '../schemas.ts';

/** The most pages a mini-app may have open at once. */
export const MAX_PAGE_STACK = 10;

const stackResult = obj({ stackDepth: int('Pages on the stack after the move.', 1, MAX_PAGE_STACK) }, ['stackDepth']);
const urlParams = obj({ url: { ...pagePath, description: 'A page declared in app.json, with an optional query string.' } }, ['url']);
const navErrors = ['NOT_FOUND', 'LIMIT_EXCEEDED'] as const;

/** `base.navigate`: the mini-app's page stack, kept by the host. */
export default defineCapability({
  id: 'base.navigate',
  title: 'Navigation',
  titleZh: '页面导航',
  description: 'Open, replace and close pages of the mini-app; the host keeps a bounded page stack.',
  side: 'host',
  rateTier: 'light',
  methods: {
    navigateTo: {
      summary: 'Open a page on top of the current one.',
      params: urlParams,
      result: stackResult,
      errors: [...navErrors],
      examples: [{ title: 'Open a detail page', params: { url: 'pages/movie/detail?id=m1024' }, result: { stackDepth: 2 } }],
    },
    navigateBack: {
      summary: 'Close the top page(s) and return to an earlier one.',
      params: obj({ delta: int('How many pages to close (default 1; more than the stack returns to the first).', 1, MAX_PAGE_STACK) }, []),
      result: stackResult,
      errors: ['INVALID_STATE'],
      examples: [
        { title: 'Back one page', params: {}, result: { stackDepth: 1 } },
        { title: 'Back two pages', params: { delta: 2 }, result: { stackDepth: 1 } },
      ],
    },
    redirectTo: {
      summary: 'Replace the current page with another.',
      params: urlParams,
      result: stackResult,
      errors: ['NOT_FOUND'],
      examples: [{ title: 'Replace the checkout with the result page', params: { url: 'pages/order/result?id=ord_A1b2C3d4' }, result: { stackDepth: 2 } }],
    },
    reLaunch: {
      summary: 'Close every page and open one.',
      params: urlParams,
      result: stackResult,
      errors: ['NOT_FOUND'],
      examples: [{ title: 'Back to the home page', params: { url: 'pages/index/index' }, result: { stackDepth: 1 } }],
    },
  },
  openApi: [],
  docs: `# Navigation

The host keeps the page stack; the mini-app asks it to move.

- Pages must be declared in \`app.json\` \`pages\`; any other path answers \`NOT_FOUND\`.
- The stack holds at most ${MAX_PAGE_STACK} pages. \`navigateTo\` on a full stack answers
  \`LIMIT_EXCEEDED\`: use \`redirectTo\` or \`reLaunch\` for flows that loop.
- \`navigateBack\` on the first page answers \`INVALID_STATE\`; the user leaves the mini-app with the
  host's close button, never by a mini-app call.
- The query string reaches the new page's \`onLoad(query)\` as an object of strings.

\`\`\`js
await lily.base.navigate.navigateTo({ url: 'pages/ride/track?rideId=' + rideId });
\`\`\`
`,
});
