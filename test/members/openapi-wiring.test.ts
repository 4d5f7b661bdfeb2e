/**
 * The membership and marketing operations registered on the real Open API framework: every
 * operationId has a handler; signed requests with path and query params reach them; domain codes
 * come back as problems.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerRegistry } from '../../capabilities/handlers.ts';
import { defaultRegistry } from '../../capabilities/index.ts';
import { testContext } from '../../capabilities/testing/context.ts';
import { AuditLog } from '../../server/audit/audit.ts';
import { ConsentService } from '../../server/consents/consents.ts';
import { EventBus } from '../../server/events.ts';
import { createMarketingHandlers, Marketing, MARKETING_OPERATION_IDS, registerMarketingOperations } from '../../server/marketing/index.ts';
import { createMemberHandlers, Members, MEMBER_OPERATION_IDS, registerMemberOperations } from '../../server/members/index.ts';
import { startHarness, type AppKey, type Harness } from '../openapi/harness.ts';
import { SECRET } from './kit.ts';

let h: Harness;
let key: AppKey;
let members: Members;
let marketing: Marketing;
const APP = 'member-openapi';

beforeAll(async () => {
  h = await startHarness();
  key = await h.appWithKey(APP, { live: true });
  const consents = new ConsentService(h.store, h.audit, new EventBus(), h.now);
  members = new Members({ secret: SECRET, consents, verifyPin: async () => undefined });
  marketing = new Marketing({ members, bus: new EventBus() });
  registerMemberOperations(h.openApi, members);
  registerMarketingOperations(h.openApi, marketing);
});
afterAll(async () => {
  await marketing.close();
  await h.close();
});

describe('registration', () => {
  it('registers exactly the membership and marketing operationIds of the catalog', () => {
    const handled: string[] = [];
    const fake = { handle: (id: string) => (handled.push(id), fake as never) };
    registerMemberOperations(fake as never, members);
    registerMarketingOperations(fake as never, marketing);
    const expected = defaultRegistry().routes().filter((r) => /^(member|marketing)\./.test(r.capability.id)).map((r) => r.route.operationId);
    expect(handled.sort()).toEqual([...expected].sort());
    expect([...MEMBER_OPERATION_IDS, ...MARKETING_OPERATION_IDS].sort()).toEqual([...expected].sort());
  });
});

describe('signed requests', () => {
  it('logs a user in, awards points and reads them back', async () => {
    const registry = createServerRegistry([...createMemberHandlers({ members }), ...createMarketingHandlers({ marketing })]);
    const user = testContext(h.store, { appId: APP, userId: 'alice', openId: 'o_member-openapi_alice', now: h.now });
    const { code } = (await registry.invoke(user, 'member.login', 'login', {})) as { code: string };
    const session = await key.client.post<{ openId: string }>('/open/v1/auth/code2session', { code });
    expect(session.openId).toBe(user.openId);
    await expect(key.client.post('/open/v1/auth/code2session', { code })).rejects.toMatchObject({ code: 'INVALID_STATE', status: 409 });
    expect(await key.client.post('/open/v1/member/points/earn', { openId: user.openId, points: 300, outBizNo: 'OA-EARN-01', reason: '开卡礼' })).toMatchObject({ points: 300, balance: 300 });
    expect(await key.client.get(`/open/v1/member/points/${user.openId}`)).toEqual({ openId: user.openId, balance: 300 });
    await expect(key.client.get('/open/v1/member/points/o_nobody_known_here')).rejects.toMatchObject({ code: 'NOT_FOUND', status: 404 });
  });

  it('creates a lucky draw and lists its draws with query params', async () => {
    const now = h.now();
    const created = await key.client.post<{ activityId: string; commitment: string }>('/open/v1/marketing/lucky-draws', {
      title: '开业抽奖', startAt: now - 1000, endAt: now + 86_400_000, drawsPerUser: 1, prizes: [{ title: '海报', type: 'physical', inventory: 1, probabilityPpm: 1_000_000 }],
    });
    const registry = createServerRegistry(createMarketingHandlers({ marketing }));
    const user = testContext(h.store, { appId: APP, userId: 'bob', openId: 'o_member-openapi_bob', now: h.now });
    await registry.invoke(user, 'marketing.luckyDraw', 'drawPrize', { activityId: created.activityId });
    const listed = await key.client.get<{ draws: unknown[]; commitment: string; seed: null }>(`/open/v1/marketing/lucky-draws/${created.activityId}/draws`, { winnersOnly: true, limit: 10 });
    expect(listed).toMatchObject({ commitment: created.commitment, seed: null, draws: [{ openId: user.openId, won: true }] });
  });
});
