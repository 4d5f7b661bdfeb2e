/**
 * `base.openApp` in the headless host: jumps to allowlisted mini-apps after the user confirms in
 * the host's sheet (which shows the target's name and icon as the platform knows them), and back
 * to the app that opened this one. Every move is recorded in {@link OpenAppServices.log}.
 *
 * The capability's docs name an `openAppTargets` manifest field, but the manifest schema has no
 * such field yet, so the allowlist comes from the host (`HeadlessHostOptions.openAppTargets`).
 */
import type { BridgeAnswer, BridgeCall } from '../../../protocol/bridge.ts';
import type { ErrorPayload, Response } from '../../../protocol/errors.ts';
import type { HostCapabilityContext } from '../capabilities.ts';
import { cancelled, fail, ok, unknownMethod, type Params } from './common.ts';

/** Another mini-app as the open-app sheet shows it. */
export interface AppSummary {
  name: string;
  icon: string;
}

/** Small public values handed between mini-apps. */
export type ExtraData = Record<string, string | number | boolean | null>;

/** A move between mini-apps that the host made. */
export interface OpenAppRecord {
  /** `open`: navigateToMiniApp; `back`: navigateBackMiniApp. */
  kind: 'open' | 'back';
  /** The app that asked. */
  from: string;
  /** The target (`open`) or the app returned to (`back`). */
  to: string;
  path?: string;
  extraData?: ExtraData;
  at: number;
}

/** How `base.openApp` finds and opens other mini-apps. */
export interface OpenAppServices {
  /** The app ids `appId` may open. */
  targets(appId: string): readonly string[];
  /** The target's name and icon, or why it cannot be opened (`NOT_FOUND`, `APP_NOT_LIVE`). */
  resolve(appId: string): Promise<Response<AppSummary>>;
  /** Opens the target once the user confirmed; an error refuses the move. Default: recorded only. */
  open?(record: OpenAppRecord, call: BridgeCall): Promise<ErrorPayload | undefined>;
  /** Returns to the referrer; an error refuses the move. Default: recorded only. */
  back?(record: OpenAppRecord, call: BridgeCall): Promise<ErrorPayload | undefined>;
  /** Every move made, oldest first. */
  readonly log: OpenAppRecord[];
}

async function navigateToMiniApp(call: BridgeCall, p: Params, ctx: HostCapabilityContext): Promise<BridgeAnswer> {
  const services = ctx.openApp;
  const target = String(p.appId);
  if (!services.targets(call.appId).includes(target)) {
    return fail('PERMISSION_DENIED', `${target} is not on this mini-app's list of apps it may open.`);
  }
  const resolved = await services.resolve(target);
  if (resolved.error) return { error: resolved.error };
  const path = typeof p.path === 'string' ? p.path : undefined;
  const answer = await ctx.sheets.show('openApp', {
    appId: call.appId,
    target: { appId: target, name: resolved.result.name, icon: resolved.result.icon },
    ...(path !== undefined ? { path } : {}),
  });
  if (!answer.confirm) return cancelled();
  const record: OpenAppRecord = {
    kind: 'open',
    from: call.appId,
    to: target,
    ...(path !== undefined ? { path } : {}),
    ...(p.extraData !== undefined ? { extraData: p.extraData as ExtraData } : {}),
    at: Date.now(),
  };
  const refused = await services.open?.(record, call);
  if (refused) return { error: refused };
  services.log.push(record);
  return ok();
}

async function navigateBackMiniApp(call: BridgeCall, p: Params, ctx: HostCapabilityContext): Promise<BridgeAnswer> {
  const referrer = ctx.appState.referrer;
  if (!referrer) return fail('INVALID_STATE', 'This mini-app was not opened by another mini-app.');
  const record: OpenAppRecord = {
    kind: 'back',
    from: call.appId,
    to: referrer.appId,
    ...(p.extraData !== undefined ? { extraData: p.extraData as ExtraData } : {}),
    at: Date.now(),
  };
  const refused = await ctx.openApp.back?.(record, call);
  if (refused) return { error: refused };
  ctx.openApp.log.push(record);
  return ok();
}

/** Answers `base.openApp` calls. */
export function answerOpenApp(call: BridgeCall, p: Params, ctx: HostCapabilityContext): Promise<BridgeAnswer> {
  switch (call.method) {
    case 'navigateToMiniApp':
      return navigateToMiniApp(call, p, ctx);
    case 'navigateBackMiniApp':
      return navigateBackMiniApp(call, p, ctx);
    default:
      return Promise.resolve(unknownMethod(call));
  }
}
