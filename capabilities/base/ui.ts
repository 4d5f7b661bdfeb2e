import { defineCapability } from '../define.ts';
import { arr, bool, enumOf, int, noParams, obj, okResult, str } from '../schemas.ts';

/** `base.ui`: host-rendered toasts, dialogs, sheets and the navigation bar. */
export default defineCapability({
  id: 'base.ui',
  title: 'Interface feedback',
  titleZh: '界面交互',
  description: 'Toasts, modal dialogs, loading indicators, action sheets and the navigation bar title, rendered by the host.',
  side: 'host',
  rateTier: 'light',
  methods: {
    showToast: {
      summary: 'Show a short message that disappears by itself.',
      params: obj(
        {
          title: str('The message (up to 40 characters).', 40, { minLength: 1 }),
          icon: enumOf(['success', 'error', 'loading', 'none'] as const, 'Icon above the message (default success).'),
          duration: int('How long to show it, in ms (default 1500).', 500, 10000),
        },
        ['title'],
      ),
      result: okResult,
      errors: [],
      examples: [{ title: 'Saved', params: { title: '已保存', icon: 'success' }, result: { ok: true } }],
    },
    showModal: {
      summary: 'Show a dialog and wait for the user to confirm or cancel.',
      params: obj(
        {
          title: str('Dialog title.', 40),
          content: str('Dialog text (plain text, up to 500 characters).', 500),
          showCancel: bool('Show the cancel button (default true).'),
          confirmText: str('Confirm button label (default 确定).', 8, { minLength: 1 }),
          cancelText: str('Cancel button label (default 取消).', 8, { minLength: 1 }),
        },
        ['content'],
      ),
      result: obj({ confirm: bool('The user tapped confirm.'), cancel: bool('The user tapped cancel or closed the dialog.') }, ['confirm', 'cancel']),
      errors: [],
      examples: [
        { title: 'User confirms', params: { title: '取消订单', content: '确定要取消这个订单吗？' }, result: { confirm: true, cancel: false } },
      ],
    },
    showLoading: {
      summary: 'Show a loading indicator until hideLoading.',
      params: obj({ title: str('Text under the spinner.', 20), mask: bool('Block taps while loading (default true).') }, ['title']),
      result: okResult,
      errors: [],
      examples: [{ title: 'Loading', params: { title: '加载中' }, result: { ok: true } }],
    },
    hideLoading: {
      summary: 'Hide the loading indicator.',
      params: noParams,
      result: okResult,
      errors: [],
      examples: [{ title: 'Hide', params: {}, result: { ok: true } }],
    },
    showActionSheet: {
      summary: 'Show a list of choices from the bottom and return the tapped one.',
      params: obj(
        {
          itemList: { ...arr(str('A choice (up to 20 characters).', 20, { minLength: 1 }), 6, 'The choices, 1 to 6.'), minItems: 1 },
          alertText: str('Optional text above the choices.', 60),
        },
        ['itemList'],
      ),
      result: obj({ tapIndex: int('Index of the tapped choice.', 0, 5) }, ['tapIndex']),
      errors: ['USER_CANCELLED'],
      examples: [{ title: 'Pick a seat class', params: { itemList: ['经济舱', '商务舱'] }, result: { tapIndex: 1 } }],
    },
    setNavigationBarTitle: {
      summary: "Set the current page's title in the host's navigation bar.",
      params: obj({ title: str('The title (up to 32 characters).', 32) }, ['title']),
      result: okResult,
      errors: [],
      examples: [{ title: 'Title a page', params: { title: '确认订单' }, result: { ok: true } }],
    },
  },
  openApi: [],
  docs: `# Interface feedback

The host draws these with its own components, so they look the same in every mini-app and cannot
be styled to imitate the cashier or a consent sheet.

- Text is plain: no markup, no links. Long text is refused by the schema, not cut.
- \`showModal\` resolves with \`{confirm, cancel}\`; it never rejects for a cancel.
- \`showActionSheet\` rejects with \`USER_CANCELLED\` when the user dismisses it.
- A loading indicator is removed when the page changes, even without \`hideLoading\`.

\`\`\`js
const { confirm } = await lily.base.ui.showModal({ title: '取消订单', content: '确定要取消吗？' });
\`\`\`
`,
});
