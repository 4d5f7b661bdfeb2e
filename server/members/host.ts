/**
 * What the membership guest handlers share: their dependencies and the first thing every call
 * does (record the caller's open id, so merchant Open API calls can find the user).
 */
import type { CapabilityContext } from '../../capabilities/context.ts';
import { userScope, type UserScope } from './common.ts';
import type { Members } from './members.ts';
import { rememberOpenId } from './openids.ts';

/** What the membership handlers need. */
export interface MemberHandlerDeps {
  members: Members;
}

/** Records the caller's open id (cached per process) and returns the call's user scope. */
export async function enter(ctx: CapabilityContext): Promise<UserScope> {
  await rememberOpenId(ctx.store, { appId: ctx.appId, openId: ctx.openId, userId: ctx.userId, at: ctx.now() });
  return userScope(ctx);
}
