import { defineCapability } from '../define.ts';
import { bool, enumOf, obj, str } from '../schemas.ts';

const latitude = { type: 'number', minimum: -90, maximum: 90, description: 'Latitude in degrees.' } as const;
const longitude = { type: 'number', minimum: -180, maximum: 180, description: 'Longitude in degrees.' } as const;
const coordType = enumOf(['wgs84', 'gcj02'] as const, 'Coordinate system: wgs84 (GPS, default) or gcj02 (Chinese map services).');

/** `base.location`: the device location and a host map picker, with the user's consent. */
export default defineCapability({
  id: 'base.location',
  title: 'Location',
  titleZh: '地理位置',
  description: 'The current location of the device and a host-rendered place picker.',
  scope: { id: 'scope.location', purpose: { zh: '查找您附近的地点，例如上车点或影院。', en: 'Find places near you, such as a pick-up point or a cinema.' } },
  side: 'host',
  rateTier: 'standard',
  methods: {
    getLocation: {
      summary: 'Get the current location of the device.',
      params: obj({ type: coordType, highAccuracy: bool('Ask the device for a precise fix (slower; default false).') }, []),
      result: obj(
        {
          latitude,
          longitude,
          type: coordType,
          accuracy: { type: 'number', minimum: 0, maximum: 100000, description: 'Horizontal accuracy radius in metres.' },
        },
        ['latitude', 'longitude', 'type', 'accuracy'],
      ),
      errors: ['CONSENT_REQUIRED', 'USER_CANCELLED', 'UNAVAILABLE', 'TIMEOUT'],
      examples: [
        { title: 'Pick-up point', params: { type: 'gcj02' }, result: { latitude: 31.2304, longitude: 121.4737, type: 'gcj02', accuracy: 30 } },
      ],
    },
    chooseLocation: {
      summary: 'Let the user pick a place on a host map.',
      params: obj({ latitude, longitude, keyword: str('Search text to start with.', 50) }, []),
      result: obj(
        {
          name: str('Place name.', 100),
          address: str('Street address.', 200),
          latitude,
          longitude,
          type: coordType,
        },
        ['name', 'address', 'latitude', 'longitude', 'type'],
      ),
      errors: ['CONSENT_REQUIRED', 'USER_CANCELLED'],
      examples: [
        {
          title: 'Choose a destination',
          params: { keyword: '虹桥机场' },
          result: { name: '虹桥国际机场T2航站楼', address: '上海市长宁区虹桥路2550号', latitude: 31.1943, longitude: 121.3272, type: 'gcj02' },
        },
      ],
    },
  },
  openApi: [],
  docs: `# Location

Needs the user's consent to \`scope.location\`, asked once in a host sheet that shows your app,
the purpose above and the reason in your manifest. Without it a call answers \`CONSENT_REQUIRED\`
(the user refused or revoked) and the mini-app should offer a way on without location.

- \`getLocation\` answers \`UNAVAILABLE\` when the device has no fix and \`TIMEOUT\` after 10 s.
- \`chooseLocation\` opens a host map; the user may cancel (\`USER_CANCELLED\`).
- Coordinates are WGS-84 unless you ask for GCJ-02, which Chinese map services expect.
- Do not send locations to your server more often than you need; the consent can be revoked.

\`\`\`js
const { latitude, longitude } = await lily.base.location.getLocation({ type: 'gcj02' });
\`\`\`
`,
});
