/**
 * `base.phone` in the headless host: the host shows the number in its own confirm sheet and
 * dials only after the user confirms, so a mini-app can neither call silently nor disguise the
 * number. Only from a user tap (checked before a call gets here, from the capability's
 * `userGesture` flag).
 */
import type { BridgeAnswer, BridgeCall } from '../../../protocol/bridge.ts';
import type { HostCapabilityContext } from '../capabilities.ts';
import { cancelled, fail, ok, unknownMethod, type Params } from './common.ts';

/** Answers `base.phone` calls. */
export async function answerPhone(call: BridgeCall, p: Params, ctx: HostCapabilityContext): Promise<BridgeAnswer> {
  if (call.method !== 'makePhoneCall') return unknownMethod(call);
  const phoneNumber = String(p.phoneNumber);
  const answer = await ctx.sheets.show('phoneCall', { appId: call.appId, phoneNumber });
  if (!answer.confirm) return cancelled();
  if (!ctx.device.canCall) return fail('UNAVAILABLE', 'This device cannot place phone calls.');
  ctx.device.dials.push({ appId: call.appId, phoneNumber, at: Date.now() });
  return ok();
}
