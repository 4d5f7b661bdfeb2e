/**
 * The capabilities the browser host answers itself (`side: 'host'` in the catalog): UI (toast,
 * modal, loading, action sheet, title), navigation (answered by the runtime in the worker),
 * scanner, system info, network, phone call, clipboard and location. Result shapes follow the
 * capability catalog, parameter checks follow the headless host (`runtime/headless/capabilities.ts`).
 */
import { isNavigateCall, type BridgeAnswer, type BridgeCall, type CapabilityDescriptor, type NavigateMethod } from '../../../protocol/bridge.ts';
import { isError, text } from '../../../runtime/headless/base/common.ts';
import { wgs84ToGcj02 } from '../../../runtime/headless/base/location.ts';
import type { SheetAnswers, SheetKind, SheetRequests } from './sheets.ts';

/** Capabilities (and methods) this host answers itself. */
export const BROWSER_HOST_CAPABILITIES: readonly CapabilityDescriptor[] = [
  { id: 'base.ui', methods: ['showToast', 'showModal', 'showLoading', 'hideLoading', 'showActionSheet', 'setNavigationBarTitle'] },
  { id: 'base.navigate', methods: ['navigateTo', 'redirectTo', 'navigateBack', 'reLaunch'] },
  { id: 'base.scan', methods: ['scanCode'] },
  { id: 'base.system', methods: ['getSystemInfo', 'getLaunchOptions', 'canIUse'] },
  { id: 'base.network', methods: ['getNetworkType', 'onNetworkStatusChange'] },
  { id: 'base.phone', methods: ['makePhoneCall'] },
  { id: 'base.clipboard', methods: ['setClipboardData', 'getClipboardData'] },
  { id: 'base.location', methods: ['getLocation', 'chooseLocation'] },
];

/** What `base.system.getSystemInfo` reports. */
export interface SystemInfo {
  platform: 'web';
  hostVersion: string;
  sdkVersion: string;
  language: 'zh-CN' | 'en-US';
  theme: 'light' | 'dark';
  windowWidth: number;
  windowHeight: number;
  pixelRatio: number;
  fontScale: number;
}

/** A toast. */
export interface Toast {
  title: string;
  icon: 'success' | 'error' | 'loading' | 'none';
  duration: number;
}

/** What host capabilities may do to the host's UI. */
export interface HostContext {
  appName: string;
  sheet<K extends SheetKind>(kind: K, request: SheetRequests[K]): Promise<SheetAnswers[K]>;
  toast(toast: Toast): void;
  loading(title: string | undefined): void;
  title(title: string): void;
  navigate(method: NavigateMethod, request: { url?: string; delta?: number }): void;
  system(): SystemInfo;
  launch: { path: string; query: Record<string, string>; scene: string };
  visible: ReadonlyMap<string, CapabilityDescriptor>;
  declared: readonly string[];
  /** Asks for (or finds) the user's consent to `scope`; true when granted. */
  consent(scope: string): Promise<boolean>;
  clipboard?: { read(): Promise<string>; write(text: string): Promise<void> };
  geolocation?: () => Promise<{ latitude: number; longitude: number; accuracy: number }>;
  online?: () => boolean;
  /** Registers the app for network changes (`base.network.onNetworkStatusChange`). */
  listenNetwork?: () => void;
}

type Params = Record<string, unknown>;

const invalid = (message: string): BridgeAnswer => ({ error: { code: 'INVALID_PARAMS', message } });
const cancelled = (): BridgeAnswer => ({ error: { code: 'USER_CANCELLED', message: 'The user cancelled.' } });
const ok = (): BridgeAnswer => ({ result: { ok: true } });
const unknown = (call: BridgeCall): BridgeAnswer => ({ error: { code: 'UNKNOWN_CAPABILITY', message: `No such method ${call.capability}.${call.method}.` } });


async function ui(call: BridgeCall, p: Params, ctx: HostContext): Promise<BridgeAnswer> {
  switch (call.method) {
    case 'showToast': {
      const title = text(p, 'title', 40, true);
      if (isError(title)) return { error: title };
      const icon = p.icon === undefined ? 'success' : p.icon;
      if (icon !== 'success' && icon !== 'error' && icon !== 'loading' && icon !== 'none') return invalid('icon must be success, error, loading or none.');
      const duration = p.duration === undefined ? 1500 : p.duration;
      if (typeof duration !== 'number' || duration < 500 || duration > 10_000) return invalid('duration must be 500 to 10000 ms.');
      ctx.toast({ title: title!, icon, duration });
      return ok();
    }
    case 'showModal': {
      const content = text(p, 'content', 500, true);
      const title = text(p, 'title', 40, false);
      const confirmText = text(p, 'confirmText', 8, false);
      const cancelText = text(p, 'cancelText', 8, false);
      for (const v of [content, title, confirmText, cancelText]) if (isError(v)) return { error: v };
      const answer = await ctx.sheet('modal', {
        appName: ctx.appName,
        content: content as string,
        showCancel: p.showCancel !== false,
        ...(typeof title === 'string' ? { title } : {}),
        ...(typeof confirmText === 'string' ? { confirmText } : {}),
        ...(typeof cancelText === 'string' ? { cancelText } : {}),
      });
      return { result: { confirm: answer.confirm, cancel: !answer.confirm } };
    }
    case 'showLoading': {
      const title = text(p, 'title', 20, true);
      if (isError(title)) return { error: title };
      ctx.loading(title);
      return ok();
    }
    case 'hideLoading':
      ctx.loading(undefined);
      return ok();
    case 'showActionSheet': {
      const items = p.itemList;
      if (!Array.isArray(items) || items.length < 1 || items.length > 6 || items.some((i) => typeof i !== 'string' || i.length < 1 || i.length > 20)) {
        return invalid('itemList must hold 1 to 6 strings of up to 20 characters.');
      }
      const alertText = text(p, 'alertText', 60, false);
      if (isError(alertText)) return { error: alertText };
      const answer = await ctx.sheet('actionSheet', { appName: ctx.appName, itemList: items as string[], ...(alertText ? { alertText } : {}) });
      if ('cancel' in answer) return cancelled();
      if (!Number.isInteger(answer.tapIndex) || answer.tapIndex < 0 || answer.tapIndex >= items.length) return cancelled();
      return { result: { tapIndex: answer.tapIndex } };
    }
    case 'setNavigationBarTitle': {
      const title = text(p, 'title', 32, false);
      if (isError(title) || title === undefined) return invalid('title must be a string of up to 32 characters.');
      ctx.title(title);
      return ok();
    }
    default:
      return unknown(call);
  }
}

async function scan(call: BridgeCall, p: Params, ctx: HostContext): Promise<BridgeAnswer> {
  if (call.method !== 'scanCode') return unknown(call);
  const types = p.scanType;
  if (types !== undefined && (!Array.isArray(types) || types.some((t) => t !== 'qrCode' && t !== 'barCode'))) {
    return invalid('scanType must list qrCode and/or barCode.');
  }
  const answer = await ctx.sheet('scan', {
    appName: ctx.appName,
    ...(types ? { scanType: types as string[] } : {}),
    ...(typeof p.onlyFromCamera === 'boolean' ? { onlyFromCamera: p.onlyFromCamera } : {}),
  });
  if ('cancel' in answer) return cancelled();
  return { result: { result: String(answer.result).slice(0, 2048), scanType: answer.scanType, lilyPath: null } };
}

function system(call: BridgeCall, p: Params, ctx: HostContext): BridgeAnswer {
  switch (call.method) {
    case 'getSystemInfo':
      return { result: { ...ctx.system() } };
    case 'getLaunchOptions':
      return { result: { path: ctx.launch.path, query: { ...ctx.launch.query }, scene: ctx.launch.scene, referrerAppId: null, shareCode: null } };
    case 'canIUse': {
      const schema = p.schema;
      if (typeof schema !== 'string' || !/^(payment|member|marketing|base)\.[A-Za-z0-9]+(\.[A-Za-z0-9]+)?$/.test(schema)) {
        return invalid('schema must look like payment.cashier or payment.cashier.requestPayment.');
      }
      const [cat, name, method] = schema.split('.');
      const cap = ctx.visible.get(`${cat}.${name}`);
      if (!cap) return { result: { available: false, reason: ctx.declared.includes(`${cat}.${name}`) ? 'notGranted' : 'notDeclared' } };
      if (method !== undefined && cap.methods !== '*' && !cap.methods.includes(method)) return { result: { available: false, reason: 'unknown' } };
      return { result: { available: true, reason: 'ok' } };
    }
    default:
      return unknown(call);
  }
}

async function phone(call: BridgeCall, p: Params, ctx: HostContext): Promise<BridgeAnswer> {
  if (call.method !== 'makePhoneCall') return unknown(call);
  const number = p.phoneNumber;
  if (typeof number !== 'string' || !/^\+?[0-9][0-9 -]{2,19}$/.test(number)) return invalid('phoneNumber must be a phone number.');
  const answer = await ctx.sheet('confirm', { kind: 'phoneCall', appName: ctx.appName, capability: call.capability, facts: [{ label: 'phoneNumber', value: number, kind: 'text', source: 'app' }], needsPin: false });
  if ('cancel' in answer) return cancelled();
  return ok();
}

async function clipboard(call: BridgeCall, p: Params, ctx: HostContext): Promise<BridgeAnswer> {
  const board = ctx.clipboard;
  switch (call.method) {
    case 'setClipboardData': {
      const data = text(p, 'data', 4096, false);
      if (isError(data) || data === undefined) return invalid('data must be a string of up to 4096 characters.');
      if (!board) return { error: { code: 'UNAVAILABLE', message: 'The clipboard is not available here.' } };
      try {
        await board.write(data);
      } catch {
        return { error: { code: 'UNAVAILABLE', message: 'The clipboard is not available here.' } };
      }
      return ok();
    }
    case 'getClipboardData': {
      if (!(await ctx.consent('scope.clipboard'))) return { error: { code: 'CONSENT_REQUIRED', message: 'The user did not allow reading the clipboard.' } };
      if (!board) return { error: { code: 'UNAVAILABLE', message: 'The clipboard is not available here.' } };
      try {
        return { result: { data: (await board.read()).slice(0, 4096) } };
      } catch {
        return { error: { code: 'UNAVAILABLE', message: 'The clipboard is not available here.' } };
      }
    }
    default:
      return unknown(call);
  }
}

const round6 = (v: number) => Math.round(v * 1e6) / 1e6;

async function location(call: BridgeCall, p: Params, ctx: HostContext): Promise<BridgeAnswer> {
  if (call.method !== 'getLocation' && call.method !== 'chooseLocation') return unknown(call);
  if (!(await ctx.consent('scope.location'))) return { error: { code: 'CONSENT_REQUIRED', message: 'The user did not allow sharing the location.' } };
  const keyword = typeof p.keyword === 'string' ? p.keyword.slice(0, 50) : undefined;
  if (call.method === 'chooseLocation') {
    const place = await ctx.sheet('location', { appName: ctx.appName, mode: 'choose', ...(keyword ? { keyword } : {}) });
    if ('cancel' in place) return cancelled();
    const at = wgs84ToGcj02(place.latitude, place.longitude);
    return { result: { name: place.name.slice(0, 100), address: place.address.slice(0, 200), latitude: round6(at.latitude), longitude: round6(at.longitude), type: 'gcj02' } };
  }
  const type = p.type === 'gcj02' ? 'gcj02' : 'wgs84';
  let fix: { latitude: number; longitude: number; accuracy: number } | null = null;
  if (ctx.geolocation) {
    try {
      fix = await ctx.geolocation();
    } catch {
      fix = null;
    }
  }
  if (!fix) {
    // No position from the device (no sensor, refused by the browser, timed out): the user picks one.
    const place = await ctx.sheet('location', { appName: ctx.appName, mode: 'fallback' });
    if ('cancel' in place) return cancelled();
    fix = { latitude: place.latitude, longitude: place.longitude, accuracy: 100 };
  }
  const at = type === 'gcj02' ? wgs84ToGcj02(fix.latitude, fix.longitude) : fix;
  return { result: { latitude: round6(at.latitude), longitude: round6(at.longitude), type, accuracy: Math.max(0, Math.min(100_000, Math.round(fix.accuracy))) } };
}

/**
 * Answers `call` when it is a host capability; undefined when the server answers it.
 * Navigation is handed to `ctx.navigate`, which answers it inside the worker.
 */
export function answerHostCall(call: BridgeCall, ctx: HostContext): Promise<BridgeAnswer | 'navigated'> | undefined {
  const p: Params = typeof call.params === 'object' && call.params !== null && !Array.isArray(call.params) ? (call.params as Params) : {};
  if (isNavigateCall(call)) {
    const url = p.url;
    const delta = p.delta;
    if (call.method !== 'navigateBack' && typeof url !== 'string') return Promise.resolve(invalid('url must be a page path such as pages/detail/detail?id=1.'));
    if (delta !== undefined && typeof delta !== 'number') return Promise.resolve(invalid('delta must be a number.'));
    ctx.navigate(call.method, { ...(typeof url === 'string' ? { url } : {}), ...(typeof delta === 'number' ? { delta } : {}) });
    return Promise.resolve('navigated');
  }
  switch (call.capability) {
    case 'base.ui':
      return ui(call, p, ctx);
    case 'base.scan':
      return scan(call, p, ctx);
    case 'base.system':
      return Promise.resolve(system(call, p, ctx));
    case 'base.network':
      if (call.method === 'onNetworkStatusChange') {
        ctx.listenNetwork?.();
        return Promise.resolve({ result: { ok: true } });
      }
      return Promise.resolve(
        call.method === 'getNetworkType' ? { result: { networkType: ctx.online?.() === false ? 'none' : 'unknown' } } : unknown(call),
      );
    case 'base.phone':
      return phone(call, p, ctx);
    case 'base.clipboard':
      return clipboard(call, p, ctx);
    case 'base.location':
      return location(call, p, ctx);
    case 'base.openApp':
    case 'base.image':
      return Promise.resolve({ error: { code: 'UNAVAILABLE', message: 'This feature is not available in the web host yet.' } });
    default:
      return undefined;
  }
}
