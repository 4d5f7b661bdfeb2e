/**
 * The mini-app container's state: the open app, its rendered page, toasts, loading indicator,
 * host notices, and how it stopped. The logic lives in `runtime/session.ts`; this store connects
 * it to Vue, the sheets store and the shared runtime worker (kept between opens, so reopening an
 * app skips downloading and verifying its package again).
 */
import { defineStore } from 'pinia';
import { markRaw, ref, shallowRef } from 'vue';
import type { ErrorPayload } from '../../../protocol/errors.ts';
import type { EventOutcome, HostEvent, LogEntry } from '../../../runtime/instance.ts';
import type { ViewNode } from '../../../runtime/view/tree.ts';
import { shellApi } from '../api/shell.ts';
import { RuntimeWorker } from '../runtime/client.ts';
import type { SystemInfo, Toast } from '../runtime/host-capabilities.ts';
import { MiniAppSession, type HostNotice, type OpenRequest, type SessionDeps } from '../runtime/session.ts';
import { useBridgeStore } from './bridge.ts';
import { useCatalogStore } from './catalog.ts';
import { useLocaleStore } from './locale.ts';
import { useSheetsStore } from './sheets.ts';

/** A toast on screen. */
export interface ShownToast extends Toast {
  id: number;
}

/** A host notice on screen. */
export type ShownNotice = HostNotice & { id: number };

const MAX_LOGS = 200;

/**
 * The mini-app store.
 *
 * @example
 * ```ts
 * const mini = useMiniAppStore();
 * await mini.open({ appId: 'com.lily.hello', scene: 'marketplace' });
 * await mini.event({ handler: 'increment', type: 'tap' });
 * mini.close();
 * ```
 */
export const useMiniAppStore = defineStore('miniapp', () => {
  const status = ref<'idle' | 'launching' | 'running' | 'stopped' | 'error'>('idle');
  const request = shallowRef<OpenRequest | null>(null);
  const appName = ref('');
  const appIcon = ref('');
  const version = ref('');
  const trial = ref(false);
  const title = ref<string | undefined>(undefined);
  const pageDepth = ref(0);
  const tree = shallowRef<ViewNode | null>(null);
  const assets = shallowRef<ReadonlyMap<string, string>>(new Map());
  const domains = shallowRef<readonly string[]>([]);
  const toasts = ref<ShownToast[]>([]);
  const loading = ref<string | undefined>(undefined);
  const notices = ref<ShownNotice[]>([]);
  const stopReason = shallowRef<ErrorPayload | null>(null);
  const error = shallowRef<unknown>(null);
  const openStats = shallowRef<{ ms: number; cached: boolean } | null>(null);
  const logs = shallowRef<LogEntry[]>([]);
  const session = shallowRef<MiniAppSession | null>(null);
  const viewport = ref({ width: 390, height: 720 });

  let runtime: RuntimeWorker | null = null;
  let seq = 0;
  let openSeq = 0;

  /** Uses `worker` as the runtime (tests); by default the real Web Worker is started on first open. */
  function useRuntime(worker: RuntimeWorker): void {
    runtime = markRaw(worker);
  }

  function systemInfo(): SystemInfo {
    const locale = useLocaleStore();
    const dark = typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches;
    return {
      platform: 'web',
      hostVersion: '1.0.0',
      sdkVersion: '1.0.0',
      language: locale.locale === 'zh' ? 'zh-CN' : 'en-US',
      theme: dark ? 'dark' : 'light',
      windowWidth: Math.round(viewport.value.width),
      windowHeight: Math.round(viewport.value.height),
      pixelRatio: typeof devicePixelRatio === 'number' ? devicePixelRatio : 1,
      fontScale: 1,
    };
  }

  function toast(t: Toast): void {
    const id = ++seq;
    toasts.value = [...toasts.value.slice(-2), { ...t, id }];
    setTimeout(() => {
      toasts.value = toasts.value.filter((x) => x.id !== id);
    }, t.duration);
  }

  function notice(n: HostNotice): void {
    const id = ++seq;
    // One notice per kind (and code and capability) at a time.
    const key = (x: HostNotice) => (x.kind === 'error' ? `error:${x.code}:${x.capability}` : x.kind);
    notices.value = [...notices.value.filter((x) => key(x) !== key(n)).slice(-2), { ...n, id }];
    if (n.kind === 'paid') setTimeout(() => dismissNotice(id), 4000);
  }

  function dismissNotice(id: number): void {
    notices.value = notices.value.filter((n) => n.id !== id);
  }

  function reset(): void {
    tree.value = null;
    title.value = undefined;
    toasts.value = [];
    loading.value = undefined;
    notices.value = [];
    stopReason.value = null;
    error.value = null;
    pageDepth.value = 0;
    assets.value = new Map();
    logs.value = [];
    openStats.value = null;
  }

  /** Opens a mini-app (closing the one open before). */
  async function open(req: OpenRequest): Promise<void> {
    close();
    const mine = ++openSeq;
    reset();
    request.value = req;
    status.value = 'launching';
    appName.value = '';
    const sheets = useSheetsStore();
    try {
      const [catalog, bridge] = await Promise.all([useCatalogStore().load(), useBridgeStore().client()]);
      runtime ??= markRaw(new RuntimeWorker());
      const deps: SessionDeps = {
        bridge,
        runtime,
        catalog,
        api: shellApi,
        system: systemInfo,
        ...(typeof navigator !== 'undefined' && navigator.clipboard
          ? { clipboard: { read: () => navigator.clipboard.readText(), write: (t: string) => navigator.clipboard.writeText(t) } }
          : {}),
        online: () => (typeof navigator === 'undefined' ? true : navigator.onLine),
        networkChanges: (listener) => {
          if (typeof window === 'undefined') return () => undefined;
          const online = () => listener({ isConnected: true, networkType: 'unknown' });
          const offline = () => listener({ isConnected: false, networkType: 'none' });
          window.addEventListener('online', online);
          window.addEventListener('offline', offline);
          return () => {
            window.removeEventListener('online', online);
            window.removeEventListener('offline', offline);
          };
        },
        pickerLabels: () => {
          const locale = useLocaleStore();
          return { address: locale.t('sheets.picker.address'), invoiceTitle: locale.t('sheets.picker.invoiceTitle') };
        },
        shareLabels: () => {
          const locale = useLocaleStore();
          return {
            title: locale.t('sheets.share.title'),
            contacts: locale.t('sheets.share.contacts'),
            moments: locale.t('sheets.share.moments'),
            link: locale.t('sheets.share.link'),
          };
        },
        ...(typeof navigator !== 'undefined' && navigator.geolocation
          ? {
              geolocation: () =>
                new Promise<{ latitude: number; longitude: number; accuracy: number }>((resolve, reject) =>
                  navigator.geolocation.getCurrentPosition(
                    (pos) => resolve({ latitude: pos.coords.latitude, longitude: pos.coords.longitude, accuracy: pos.coords.accuracy }),
                    reject,
                    { timeout: 8000, maximumAge: 60_000 },
                  ),
                ),
            }
          : {}),
        ui: {
          sheet: (kind, r) => sheets.show(kind, r),
          toast,
          loading: (t) => (loading.value = t),
          title: (t) => (title.value = t),
          render: (u) => {
            if (mine === openSeq) tree.value = u.tree;
          },
          pages: (pages) => (pageDepth.value = pages.length),
          stopped: (reason) => {
            if (mine !== openSeq) return;
            stopReason.value = reason;
            status.value = 'stopped';
            loading.value = undefined;
            sheets.dismissAll();
          },
          notice,
          log: (entry) => {
            logs.value = [...logs.value.slice(-(MAX_LOGS - 1)), entry];
          },
        },
      };
      const s = await MiniAppSession.open(deps, req);
      if (mine !== openSeq) {
        s.close();
        return;
      }
      session.value = markRaw(s);
      appName.value = s.info.app.name;
      appIcon.value = s.info.app.icon;
      version.value = s.info.version;
      trial.value = s.info.trial;
      domains.value = s.info.manifest.domains;
      assets.value = s.assets;
      openStats.value = s.openStats;
      pageDepth.value = s.pages.length;
      if (status.value === 'launching') status.value = 'running';
    } catch (err) {
      if (mine !== openSeq) return;
      error.value = err;
      status.value = 'error';
    }
  }

  /** Delivers a renderer event to the guest. */
  async function event(e: HostEvent): Promise<EventOutcome | null> {
    const s = session.value;
    if (!s || status.value !== 'running') return null;
    return s.dispatch(e);
  }

  /** The top bar's back: pops a page, or closes the app on its first page. Resolves true when it closed. */
  async function back(): Promise<boolean> {
    const s = session.value;
    if (s && status.value === 'running' && (await s.back())) return false;
    close();
    return true;
  }

  /** Closes the app; its runtime is disposed in the worker. */
  function close(): void {
    openSeq++;
    session.value?.close();
    session.value = null;
    useSheetsStore().dismissAll();
    status.value = 'idle';
    reset();
  }

  /** Closes and opens the same app again (the package stays cached in the worker). */
  async function reopen(): Promise<void> {
    const req = request.value;
    if (req) await open(req);
  }

  /** Ends the runtime worker (logout). */
  function shutdown(): void {
    close();
    runtime?.terminate();
    runtime = null;
  }

  return {
    status,
    request,
    appName,
    appIcon,
    version,
    trial,
    title,
    pageDepth,
    tree,
    assets,
    domains,
    toasts,
    loading,
    notices,
    stopReason,
    error,
    openStats,
    logs,
    session,
    viewport,
    useRuntime,
    open,
    event,
    back,
    close,
    reopen,
    shutdown,
    dismissNotice,
  };
});
