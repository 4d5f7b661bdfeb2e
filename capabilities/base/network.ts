import { defineCapability } from '../define.ts';
import { bool, enumOf, noParams, obj, okResult } from '../schemas.ts';

const networkType = enumOf(['wifi', '2g', '3g', '4g', '5g', 'ethernet', 'unknown', 'none'] as const, 'Connection type; none when offline.');

/** `base.network`: connection type and changes. */
export default defineCapability({
  id: 'base.network',
  title: 'Network status',
  titleZh: '网络状态',
  description: 'The current connection type, and events when it changes.',
  side: 'host',
  rateTier: 'light',
  methods: {
    getNetworkType: {
      summary: 'Get the current connection type.',
      params: noParams,
      result: obj({ networkType }, ['networkType']),
      errors: [],
      examples: [{ title: 'On Wi-Fi', params: {}, result: { networkType: 'wifi' } }],
    },
    onNetworkStatusChange: {
      summary: 'Be told whenever the connection changes (until the mini-app closes).',
      params: noParams,
      result: okResult,
      emits: obj({ isConnected: bool('True when there is a connection.'), networkType }, ['isConnected', 'networkType']),
      errors: [],
      examples: [{ title: 'Listen', params: {}, result: { ok: true } }],
    },
  },
  openApi: [],
  docs: `# Network status

- \`getNetworkType\` is a hint for the UI (e.g. lower image quality on 2g/3g), not a guarantee
  that a request will work.
- \`onNetworkStatusChange\` registers a listener for the life of the mini-app instance; the SDK
  calls it with \`{isConnected, networkType}\` on every change.

\`\`\`js
lily.base.network.onNetworkStatusChange((res) => this.setData({ offline: !res.isConnected }));
\`\`\`
`,
});
