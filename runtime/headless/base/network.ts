/**
 * `base.network` in the headless host: the device's connection type, and listeners for changes.
 *
 * `onNetworkStatusChange(listener)` keeps the listener in the guest and registers the app here;
 * {@link HeadlessHost.setNetwork} then delivers each change to the guest's listeners
 * (`MiniAppInstance.deliverHostEvent`) and records it in `app.device.networkEvents`.
 * `getNetworkType` always reports the current state.
 */
import type { BridgeAnswer, BridgeCall } from '../../../protocol/bridge.ts';
import type { HostCapabilityContext } from '../capabilities.ts';
import { ok, unknownMethod } from './common.ts';

/** Answers `base.network` calls. */
export function answerNetwork(call: BridgeCall, ctx: HostCapabilityContext): BridgeAnswer {
  switch (call.method) {
    case 'getNetworkType':
      return { result: { networkType: ctx.device.network.networkType } };
    case 'onNetworkStatusChange':
      ctx.appState.listensToNetwork = true;
      return ok();
    default:
      return unknownMethod(call);
  }
}
