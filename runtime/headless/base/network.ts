/**
 * `base.network` in the headless host: the device's connection type, and listeners for changes.
 *
 * `onNetworkStatusChange` registers the app; {@link HeadlessHost.setNetwork} then records each
 * change for every registered app in `app.device.networkEvents`. The runtime has no channel yet
 * for events the host starts (every guest entry is a call's answer, a user event, a timer or a
 * navigation), so the changes are recorded rather than delivered into the guest; `getNetworkType`
 * always reports the current state.
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
