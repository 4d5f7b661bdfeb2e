/**
 * The host-side capabilities a headless host answers itself: `base.ui`, `base.navigate`,
 * `base.scan`, `base.system` here, and `base.location`, `base.clipboard`, `base.openApp`,
 * `base.network`, `base.phone`, `base.image` in `./base/`. Params are checked against the
 * capability catalog's schemas first (`./validate.ts`); results follow the catalog's result
 * schemas. Grants, consent and flow control are not checked here: a host that has them applies
 * its gates before (`HeadlessHostOptions.gate`).
 */
import { isNavigateCall, type BridgeAnswer, type BridgeCall, type CapabilityDescriptor } from '../../protocol/bridge.ts';
import type { MiniAppInstance } from '../instance.ts';
import { answerClipboard } from './base/clipboard.ts';
import { cancelled, invalid, ok, type Params, text, isError } from './base/common.ts';
import { answerImage } from './base/image.ts';
import { answerLocation } from './base/location.ts';
import { answerNetwork } from './base/network.ts';
import { answerOpenApp, type OpenAppServices } from './base/openApp.ts';
import { answerPhone } from './base/phone.ts';
import type { AppDeviceState, HeadlessDevice } from './device.ts';
import type { HostSheets } from './sheets.ts';
import { checkHostCall, paramsOf } from './validate.ts';

/** Capabilities (and methods) answered inside the host container. */
export const HOST_CAPABILITIES: readonly CapabilityDescriptor[] = [
  { id: 'base.ui', methods: ['showToast', 'showModal', 'showLoading', 'hideLoading', 'showActionSheet', 'setNavigationBarTitle'] },
  { id: 'base.navigate', methods: ['navigateTo', 'redirectTo', 'navigateBack', 'reLaunch'] },
  { id: 'base.scan', methods: ['scanCode'] },
  { id: 'base.system', methods: ['getSystemInfo', 'getLaunchOptions', 'canIUse'] },
  { id: 'base.location', methods: ['getLocation', 'chooseLocation'] },
  { id: 'base.clipboard', methods: ['setClipboardData', 'getClipboardData'] },
  { id: 'base.openApp', methods: ['navigateToMiniApp', 'navigateBackMiniApp'] },
  { id: 'base.network', methods: ['getNetworkType', 'onNetworkStatusChange'] },
  { id: 'base.phone', methods: ['makePhoneCall'] },
  { id: 'base.image', methods: ['chooseImage', 'previewImage'] },
];

const HOSTED = new Set(HOST_CAPABILITIES.map((c) => c.id));

/** What `base.system.getSystemInfo` reports. */
export interface SystemInfo {
  platform: 'ios' | 'android' | 'web' | 'headless';
  hostVersion: string;
  sdkVersion: string;
  language: 'zh-CN' | 'en-US';
  theme: 'light' | 'dark';
  windowWidth: number;
  windowHeight: number;
  pixelRatio: number;
  fontScale: number;
}

/** The headless host's defaults for {@link SystemInfo}. */
export const HEADLESS_SYSTEM_INFO: SystemInfo = {
  platform: 'headless',
  hostVersion: '1.0.0',
  sdkVersion: '1.0.0',
  language: 'zh-CN',
  theme: 'light',
  windowWidth: 390,
  windowHeight: 780,
  pixelRatio: 2,
  fontScale: 1,
};

/** A toast the mini-app showed. */
export interface ToastRecord {
  title: string;
  icon: string;
  duration: number;
}

/** What the host's chrome shows for one app: toasts, loading indicator, titles. */
export interface HostUiState {
  toasts: ToastRecord[];
  loading: string | undefined;
  /** Navigation bar title per page id. */
  titles: Map<number, string>;
}

/** What the host capabilities need to answer a call. */
export interface HostCapabilityContext {
  instance: MiniAppInstance;
  sheets: HostSheets;
  ui: HostUiState;
  system: SystemInfo;
  launch: { path: string; query: Record<string, string>; scene: string; referrerAppId?: string | null };
  /** The capabilities visible to this instance. */
  visible: ReadonlyMap<string, CapabilityDescriptor>;
  /** The device shared by every app of the host (location, network, clipboard, phone). */
  device: HeadlessDevice;
  /** This app's device-facing state (temporary files, listeners, previews, referrer). */
  appState: AppDeviceState;
  /** How `base.openApp` finds and opens other mini-apps. */
  openApp: OpenAppServices;
  /** Whether a capability is granted now (`canIUse` answers `notGranted` when not). Default: all are. */
  isGranted?: (capability: string) => boolean;
}


async function ui(call: BridgeCall, p: Params, ctx: HostCapabilityContext): Promise<BridgeAnswer> {
  const appId = call.appId;
  switch (call.method) {
    case 'showToast': {
      const title = text(p, 'title', 40, true);
      if (isError(title)) return { error: title };
      const icon = p.icon === undefined ? 'success' : p.icon;
      if (!['success', 'error', 'loading', 'none'].includes(icon as string)) return invalid('icon must be success, error, loading or none.');
      const duration = p.duration === undefined ? 1500 : p.duration;
      if (typeof duration !== 'number' || duration < 500 || duration > 10_000) return invalid('duration must be 500 to 10000 ms.');
      ctx.ui.toasts.push({ title: title!, icon: icon as string, duration });
      return ok();
    }
    case 'showModal': {
      const content = text(p, 'content', 500, true);
      const title = text(p, 'title', 40, false);
      if (isError(content)) return { error: content };
      if (isError(title)) return { error: title };
      const answer = await ctx.sheets.show('modal', {
        appId,
        content: content!,
        ...(title !== undefined ? { title } : {}),
        ...(typeof p.showCancel === 'boolean' ? { showCancel: p.showCancel } : {}),
      });
      return { result: { confirm: answer.confirm, cancel: !answer.confirm } };
    }
    case 'showLoading': {
      const title = text(p, 'title', 20, true);
      if (isError(title)) return { error: title };
      ctx.ui.loading = title;
      return ok();
    }
    case 'hideLoading':
      ctx.ui.loading = undefined;
      return ok();
    case 'showActionSheet': {
      const items = p.itemList;
      if (!Array.isArray(items) || items.length < 1 || items.length > 6 || items.some((i) => typeof i !== 'string' || i.length < 1 || i.length > 20)) {
        return invalid('itemList must hold 1 to 6 strings of up to 20 characters.');
      }
      const answer = await ctx.sheets.show('actionSheet', { appId, itemList: items as string[] });
      if ('cancel' in answer) return cancelled();
      if (!Number.isInteger(answer.tapIndex) || answer.tapIndex < 0 || answer.tapIndex >= items.length) return cancelled();
      return { result: { tapIndex: answer.tapIndex } };
    }
    case 'setNavigationBarTitle': {
      const title = text(p, 'title', 32, false);
      if (isError(title) || title === undefined) return invalid('title must be a string of up to 32 characters.');
      const top = ctx.instance.pages.at(-1);
      if (top) ctx.ui.titles.set(top.pageId, title);
      return ok();
    }
    default:
      return { error: { code: 'UNKNOWN_CAPABILITY', message: `No such method base.ui.${call.method}.` } };
  }
}

async function scan(call: BridgeCall, p: Params, ctx: HostCapabilityContext): Promise<BridgeAnswer> {
  if (call.method !== 'scanCode') return { error: { code: 'UNKNOWN_CAPABILITY', message: `No such method base.scan.${call.method}.` } };
  const types = p.scanType;
  if (types !== undefined && (!Array.isArray(types) || types.some((t) => t !== 'qrCode' && t !== 'barCode'))) {
    return invalid('scanType must list qrCode and/or barCode.');
  }
  const answer = await ctx.sheets.show('scan', {
    appId: call.appId,
    ...(types ? { scanType: types as string[] } : {}),
    ...(typeof p.onlyFromCamera === 'boolean' ? { onlyFromCamera: p.onlyFromCamera } : {}),
  });
  if ('cancel' in answer) return cancelled();
  return { result: { result: String(answer.result).slice(0, 2048), scanType: answer.scanType ?? 'qrCode', lilyPath: null } };
}

function system(call: BridgeCall, p: Params, ctx: HostCapabilityContext): BridgeAnswer {
  switch (call.method) {
    case 'getSystemInfo':
      return { result: { ...ctx.system } };
    case 'getLaunchOptions':
      return {
        result: { path: ctx.launch.path, query: { ...ctx.launch.query }, scene: ctx.launch.scene, referrerAppId: ctx.launch.referrerAppId ?? null, shareCode: null },
      };
    case 'canIUse': {
      const schema = p.schema;
      if (typeof schema !== 'string' || !/^(payment|member|marketing|base)\.[A-Za-z0-9]+(\.[A-Za-z0-9]+)?$/.test(schema)) {
        return invalid('schema must look like payment.cashier or payment.cashier.requestPayment.');
      }
      const [cat, name, method] = schema.split('.');
      const cap = ctx.visible.get(`${cat}.${name}`);
      if (!cap) {
        const declared = ctx.instance.manifest.capabilities.some((c) => c.id === `${cat}.${name}`);
        return { result: { available: false, reason: declared ? 'notGranted' : 'notDeclared' } };
      }
      if (ctx.isGranted && !ctx.isGranted(cap.id)) return { result: { available: false, reason: 'notGranted' } };
      if (method !== undefined && cap.methods !== '*' && !cap.methods.includes(method)) return { result: { available: false, reason: 'unknown' } };
      return { result: { available: true, reason: 'ok' } };
    }
    default:
      return { error: { code: 'UNKNOWN_CAPABILITY', message: `No such method base.system.${call.method}.` } };
  }
}

/**
 * Answers `call` when it is one of {@link HOST_CAPABILITIES}; returns undefined otherwise (the
 * call then goes to the server bridge). Params are checked against the catalog first.
 */
export function answerHostCall(call: BridgeCall, ctx: HostCapabilityContext): Promise<BridgeAnswer> | undefined {
  if (!HOSTED.has(call.capability)) return undefined;
  const params = paramsOf(call);
  const refused = checkHostCall(call, params);
  if (refused) return Promise.resolve({ error: refused });
  const p = params as Params;
  if (isNavigateCall(call)) {
    const url = p.url;
    const delta = p.delta;
    if (call.method !== 'navigateBack' && typeof url !== 'string') return Promise.resolve(invalid('url must be a page path such as pages/detail/detail?id=1.'));
    if (delta !== undefined && typeof delta !== 'number') return Promise.resolve(invalid('delta must be a number.'));
    return Promise.resolve(
      ctx.instance.navigate({ method: call.method, ...(typeof url === 'string' ? { url } : {}), ...(typeof delta === 'number' ? { delta } : {}) }),
    );
  }
  switch (call.capability) {
    case 'base.ui':
      return ui(call, p, ctx);
    case 'base.scan':
      return scan(call, p, ctx);
    case 'base.system':
      return Promise.resolve(system(call, p, ctx));
    case 'base.location':
      return answerLocation(call, p, ctx);
    case 'base.clipboard':
      return Promise.resolve(answerClipboard(call, p, ctx));
    case 'base.openApp':
      return answerOpenApp(call, p, ctx);
    case 'base.network':
      return Promise.resolve(answerNetwork(call, ctx));
    case 'base.phone':
      return answerPhone(call, p, ctx);
    case 'base.image':
      return answerImage(call, p, ctx);
    default:
      return undefined;
  }
}
