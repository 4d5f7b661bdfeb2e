import { defineCapability } from '../define.ts';
import { arr, enumOf, httpsUrl, id, int, obj, pagePath, str, time } from '../schemas.ts';

const slot = enumOf(['home_banner', 'home_grid', 'marketplace_top', 'payment_result'] as const, 'Where in the host the placement shows.');
const placementId = id('plc', 'Placement id.');
const status = enumOf(['pending_review', 'approved', 'rejected', 'live', 'ended'] as const, 'Review and run state.');

/** `marketing.placement`: home-page placements applied for by merchants, approved by ops. */
export default defineCapability({
  id: 'marketing.placement',
  title: 'Placements',
  titleZh: '首页推荐位',
  description: 'Apply for a host placement (home banner, grid, marketplace, payment result) that promotes the mini-app; bank ops approve and schedule.',
  side: 'server',
  rateTier: 'standard',
  methods: {
    getPlacements: {
      summary: "List this app's placements and how they perform.",
      params: obj({ status }, []),
      result: obj(
        {
          placements: arr(
            obj({ placementId, slot, status, title: str('Title shown.', 20), startAt: time('Starts.'), endAt: time('Ends.'), impressions: int('Times shown.', 0, 1e12), clicks: int('Times tapped.', 0, 1e12) },
              ['placementId', 'slot', 'status', 'title', 'startAt', 'endAt', 'impressions', 'clicks'], 'A placement.'),
            50,
            'Newest first.',
          ),
        },
        ['placements'],
      ),
      errors: [],
      examples: [
        {
          title: 'A live banner',
          params: { status: 'live' },
          result: { placements: [{ placementId: 'plc_May2025Ban', slot: 'home_banner', status: 'live', title: '五一打车立减', startAt: 1746028800000, endAt: 1746460799000, impressions: 182000, clicks: 5400 }] },
        },
      ],
    },
  },
  openApi: [
    {
      method: 'POST',
      path: '/open/v1/marketing/placements',
      operationId: 'applyPlacement',
      summary: 'Apply for a placement; bank ops review it.',
      body: obj(
        {
          slot,
          title: str('Title shown (up to 20 characters).', 20, { minLength: 1 }),
          imageUrl: httpsUrl('Creative image on a manifest domain (sizes per slot in the docs).'),
          path: { ...pagePath, description: 'The page a tap opens.' },
          startAt: time('Requested start.'),
          endAt: time('Requested end (at most 31 days after start).'),
          reason: str('What is promoted and why it helps users.', 200, { minLength: 1 }),
        },
        ['slot', 'title', 'imageUrl', 'path', 'startAt', 'endAt', 'reason'],
      ),
      result: obj({ placementId, status }, ['placementId', 'status']),
      errors: ['INVALID_PARAMS', 'CONFLICT'],
      idempotent: false,
    },
  ],
  docs: `# Placements

Placements are the host's own promotional slots. A merchant applies with a creative and dates;
bank ops review it (content, the app's standing, slot availability) and approve or reject it; an
approved placement goes live at its start. Overlapping with the app's own live placement in
the same slot answers \`CONFLICT\`.

Image sizes: home_banner 750×280, home_grid 120×120, marketplace_top 690×240, payment_result
690×160 (PNG or JPEG, at most 300 KiB).
`,
});
