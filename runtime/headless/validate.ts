/**
 * Checks of host-answered calls against the capability catalog: params against the method's
 * JSON Schema (the same compiled validators the server uses for its own methods) and the
 * `userGesture` flag. Only the host-side base definitions are compiled, once, on first use, so a
 * host that never answers a call pays nothing.
 */
import clipboard from '../../capabilities/base/clipboard.ts';
import image from '../../capabilities/base/image.ts';
import location from '../../capabilities/base/location.ts';
import navigate from '../../capabilities/base/navigate.ts';
import network from '../../capabilities/base/network.ts';
import openApp from '../../capabilities/base/openApp.ts';
import phone from '../../capabilities/base/phone.ts';
import scan from '../../capabilities/base/scan.ts';
import system from '../../capabilities/base/system.ts';
import ui from '../../capabilities/base/ui.ts';
import { createRegistry, type AnyCapability, type Registry } from '../../capabilities/registry.ts';
import type { BridgeCall } from '../../protocol/bridge.ts';
import { LilyError, type ErrorPayload } from '../../protocol/errors.ts';

/** The capabilities a host answers itself, as the catalog defines them. */
export const HOST_SIDE_DEFINITIONS: readonly AnyCapability[] = [system, navigate, ui, scan, location, clipboard, openApp, network, phone, image];

let registry: Registry | undefined;

/** A registry of the host-side definitions (built on first use, then shared). */
export function hostRegistry(): Registry {
  registry ??= createRegistry(HOST_SIDE_DEFINITIONS);
  return registry;
}

/**
 * The params of a host-answered call as an object: the guest sends `null` when its only argument
 * was a function (a listener such as `onNetworkStatusChange(cb)`, dropped at the sandbox boundary)
 * and `{}` when it passed nothing.
 */
export function paramsOf(call: BridgeCall): unknown {
  return call.params === null || call.params === undefined ? {} : call.params;
}

/**
 * Checks a host-answered call: `INVALID_PARAMS` naming each bad field, `UNKNOWN_CAPABILITY` for a
 * method the catalog does not have, `PERMISSION_DENIED` for a method that needs a user tap and did
 * not come from one. Null when the call may run.
 *
 * Relative page URLs (`../detail/detail`), which the runtime resolves against the current page,
 * are checked by the runtime's navigation rather than by the catalog's page-path pattern.
 */
export function checkHostCall(call: BridgeCall, params: unknown): ErrorPayload | null {
  const reg = hostRegistry();
  const method = reg.method(call.capability, call.method);
  if (!method) return { code: 'UNKNOWN_CAPABILITY', message: `No such method ${call.capability}.${call.method}.` };
  let shape = params;
  if (call.capability === 'base.navigate' && typeof params === 'object' && params !== null) {
    const url = (params as Record<string, unknown>).url;
    if (typeof url === 'string' && /^\.\.?\//.test(url) && url.length <= 256) shape = { ...params, url: 'pages/relative' };
  }
  try {
    reg.validateParams(call.capability, call.method, shape);
  } catch (err) {
    if (err instanceof LilyError) return err.toPayload();
    throw err;
  }
  if (method.spec.userGesture && call.userGesture !== true) {
    return { code: 'PERMISSION_DENIED', message: `${call.capability}.${call.method} may only be called from a user tap.` };
  }
  return null;
}
