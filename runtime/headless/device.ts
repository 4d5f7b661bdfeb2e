/**
 * The device a headless host pretends to run on: where it is, its connection, its clipboard and
 * whether it can place calls. One device is shared by every app of a host, as on a phone; what
 * belongs to one app (temporary files, listeners) lives in {@link AppDeviceState}.
 * Platform-neutral.
 */

/** A location fix, in WGS-84 (what satellite receivers report). */
export interface LocationFix {
  latitude: number;
  longitude: number;
  /** Horizontal accuracy radius in metres. */
  accuracy: number;
}

/** Where the device is: a fix, or `null` when it has none (answers `UNAVAILABLE`). */
export type LocationProvider = (request: { highAccuracy: boolean }) => LocationFix | null | Promise<LocationFix | null>;

/** A connection type, as `base.network` reports it. */
export type NetworkType = 'wifi' | '2g' | '3g' | '4g' | '5g' | 'ethernet' | 'unknown' | 'none';

/** The connection state, as `base.network.onNetworkStatusChange` describes a change. */
export interface NetworkState {
  isConnected: boolean;
  networkType: NetworkType;
}

/** Options of {@link HeadlessDevice}. */
export interface HeadlessDeviceOptions {
  /** A fixed position, a provider, or `null` for a device without a fix. Default: People's Square, Shanghai. */
  location?: LocationFix | LocationProvider | null;
  /** How long `getLocation` waits for the provider before answering `TIMEOUT` (default 10 s). */
  locationTimeoutMs?: number;
  /** The connection at start (default `wifi`). */
  networkType?: NetworkType;
  /** Text on the clipboard at start (default empty). */
  clipboard?: string;
  /** False for a device that cannot place phone calls (answers `UNAVAILABLE`). Default true. */
  canCall?: boolean;
}

/** A call the host dialled after the user confirmed the number. */
export interface DialRecord {
  appId: string;
  phoneNumber: string;
  at: number;
}

/** A host temporary file handed to a mini-app (a picked image). */
export interface TempFile {
  /** `lilyfile://tmp/<random>.<ext>`: names no package, album path or user data. */
  path: string;
  type: 'image/jpeg' | 'image/png' | 'image/webp';
  width: number;
  height: number;
  size: number;
}

/** What the device holds for one open app; dropped when the app closes. */
export interface AppDeviceState {
  /** Temporary files this app received, by path. Other apps cannot use them. */
  tempFiles: Map<string, TempFile>;
  /** True once the app called `onNetworkStatusChange`. */
  listensToNetwork: boolean;
  /**
   * Connection changes for this app's listener, oldest first. The runtime has no channel for
   * host-initiated events into the guest yet, so they are recorded here rather than delivered.
   */
  networkEvents: NetworkState[];
  /** Images the host showed full screen for this app. */
  previews: { urls: string[]; current: string }[];
  /** The mini-app that opened this one with `base.openApp`, if any. */
  referrer: { appId: string } | null;
}

/** Default position: People's Square, Shanghai (WGS-84). */
export const DEFAULT_LOCATION: LocationFix = { latitude: 31.2304, longitude: 121.4737, accuracy: 35 };

/**
 * The device of a headless host.
 *
 * @example
 * ```ts
 * const host = await HeadlessHost.create({ bankPublicKey, device: { location: { latitude: 39.9, longitude: 116.4, accuracy: 20 } } });
 * host.device.clipboard = 'SPRING2025';
 * host.setNetwork('4g');
 * ```
 */
export class HeadlessDevice {
  /** Text on the clipboard. */
  clipboard: string;
  /** The current connection. */
  network: NetworkState;
  /** False when the device cannot place calls. */
  canCall: boolean;
  /** Calls dialled, oldest first. */
  readonly dials: DialRecord[] = [];
  private readonly provider: LocationProvider;
  private readonly timeoutMs: number;

  constructor(options: HeadlessDeviceOptions = {}) {
    const location = options.location === undefined ? DEFAULT_LOCATION : options.location;
    this.provider = typeof location === 'function' ? location : () => (location ? { ...location } : null);
    this.timeoutMs = options.locationTimeoutMs ?? 10_000;
    const type = options.networkType ?? 'wifi';
    this.network = { networkType: type, isConnected: type !== 'none' };
    this.clipboard = options.clipboard ?? '';
    this.canCall = options.canCall ?? true;
  }

  /** Asks the provider for a fix: the fix, `null` (no fix) or `'timeout'`. */
  async locate(highAccuracy: boolean): Promise<LocationFix | null | 'timeout'> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      return await Promise.race([
        Promise.resolve(this.provider({ highAccuracy })),
        new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), this.timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** A fresh {@link AppDeviceState}. */
export function newAppDeviceState(referrer: { appId: string } | null = null): AppDeviceState {
  return { tempFiles: new Map(), listensToNetwork: false, networkEvents: [], previews: [], referrer };
}
