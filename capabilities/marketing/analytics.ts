import { defineCapability } from '../define.ts';
import { arr, date, enumOf, int, obj, okResult, str } from '../schemas.ts';

const eventName = str('Event name: lower_snake_case, up to 40 characters.', 40, { pattern: '^[a-z][a-z0-9_]{0,39}$' });

/** `marketing.analytics`: custom events, stats and funnels. */
export default defineCapability({
  id: 'marketing.analytics',
  title: 'Analytics',
  titleZh: '数据分析',
  description: 'Report custom events from the mini-app; query daily stats and conversion funnels from the merchant server.',
  side: 'server',
  rateTier: 'light',
  methods: {
    reportEvent: {
      summary: 'Record one custom event with up to 10 properties.',
      params: obj(
        {
          name: eventName,
          props: {
            type: 'object',
            additionalProperties: { type: ['string', 'number', 'boolean'], maxLength: 100 },
            propertyNames: { type: 'string', pattern: '^[a-z][a-zA-Z0-9_]{0,31}$', maxLength: 32 },
            maxProperties: 10,
            description: 'Properties: short strings, numbers or booleans. No personal data.',
          },
        },
        ['name'],
      ),
      result: okResult,
      errors: [],
      examples: [{ title: 'Seat chosen', params: { name: 'seat_selected', props: { showId: 's_9912', seats: 2 } }, result: { ok: true } }],
    },
  },
  openApi: [
    {
      method: 'GET',
      path: '/open/v1/marketing/analytics/stats',
      operationId: 'queryStats',
      summary: 'Daily counts and unique users per event.',
      params: obj({ from: date('First day.'), to: date('Last day (at most 92 days after from).'), event: eventName }, ['from', 'to']),
      result: obj(
        { series: arr(obj({ date: date('Day.'), event: eventName, count: int('Events.', 0, 1e12), users: int('Unique users.', 0, 1e10) }, ['date', 'event', 'count', 'users'], 'One day of one event.'), 10_000, 'By day, then event.') },
        ['series'],
      ),
      errors: ['INVALID_PARAMS'],
      idempotent: true,
    },
    {
      method: 'POST',
      path: '/open/v1/marketing/analytics/funnels',
      operationId: 'queryFunnel',
      summary: 'Conversion through a sequence of events within a time window.',
      body: obj(
        {
          steps: { ...arr(eventName, 8, 'Events in order, 2 to 8.'), minItems: 2 },
          from: date('First day.'),
          to: date('Last day.'),
          windowHours: int('Hours a user has to finish the funnel (default 24).', 1, 720),
          by: enumOf(['none', 'scene'] as const, 'Split by launch scene (default none).'),
        },
        ['steps', 'from', 'to'],
      ),
      result: obj(
        { steps: arr(obj({ event: eventName, users: int('Users who reached this step.', 0, 1e10), conversion: { type: 'number', minimum: 0, maximum: 1, description: 'Share of the first step’s users.' } }, ['event', 'users', 'conversion'], 'One step.'), 8, 'The steps.') },
        ['steps'],
      ),
      errors: ['INVALID_PARAMS'],
      idempotent: true,
    },
  ],
  docs: `# Analytics

Besides the page views and launches the host records by itself, mini-apps report custom
events. The host batches \`reportEvent\` calls and sends them every few seconds, so calling it
often is cheap; beyond the light rate tier events are dropped with \`RATE_LIMITED\`.

- Events are keyed by openId and app; never put personal data in \`props\`.
- Stats are aggregated hourly; \`queryStats\` covers up to 92 days (\`INVALID_PARAMS\` beyond).
- \`queryFunnel\` counts users who did the steps in order within \`windowHours\` of the first.
`,
});
