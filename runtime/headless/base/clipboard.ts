/**
 * `base.clipboard` in the headless host: the device clipboard, in memory and shared by every app
 * of the host as on a phone. Writing shows the host's "copied" toast; reading needs consent to
 * `scope.clipboard`, which the host gates ask for before a call gets here.
 */
import type { BridgeAnswer, BridgeCall } from '../../../protocol/bridge.ts';
import type { HostCapabilityContext } from '../capabilities.ts';
import { ok, unknownMethod, type Params } from './common.ts';

/** Longest text that crosses the clipboard, as the capability's schema allows. */
const MAX_TEXT = 4096;

/** Answers `base.clipboard` calls. */
export function answerClipboard(call: BridgeCall, p: Params, ctx: HostCapabilityContext): BridgeAnswer {
  switch (call.method) {
    case 'setClipboardData':
      ctx.device.clipboard = String(p.data);
      // The host, not the mini-app, tells the user that something was copied.
      ctx.ui.toasts.push({ title: '内容已复制', icon: 'success', duration: 1500 });
      return ok();
    case 'getClipboardData':
      return { result: { data: ctx.device.clipboard.slice(0, MAX_TEXT) } };
    default:
      return unknownMethod(call);
  }
}
