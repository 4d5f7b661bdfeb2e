/**
 * The headless host: runs mini-apps without a screen, for tests, the simulator CLI and review.
 *
 * The connected host (`./connected.ts`: launch through a Lily server, server-side capabilities
 * over the socket.io bridge, host-side gates from `./gates.ts`) is imported from its own module,
 * so that standalone users (the CLI, the review worker) do not load the socket.io client.
 */
export {
  HeadlessApp,
  HeadlessHost,
  STANDALONE_ANSWER,
  type HeadlessBridge,
  type HeadlessBridgeContext,
  type HeadlessGate,
  type HeadlessHostOptions,
  type OpenOptions,
} from './host.ts';
export { answerHostCall, HEADLESS_SYSTEM_INFO, HOST_CAPABILITIES, type HostCapabilityContext, type HostUiState, type SystemInfo, type ToastRecord } from './capabilities.ts';
export {
  DEFAULT_LOCATION,
  HeadlessDevice,
  newAppDeviceState,
  type AppDeviceState,
  type DialRecord,
  type HeadlessDeviceOptions,
  type LocationFix,
  type LocationProvider,
  type NetworkState,
  type NetworkType,
  type TempFile,
} from './device.ts';
export { wgs84ToGcj02 } from './base/location.ts';
export type { AppSummary, ExtraData, OpenAppRecord, OpenAppServices } from './base/openApp.ts';
export { DISMISSED, HostSheets, type PickedImage, type PickedPlace, type SheetAnswers, type SheetKind, type SheetRecord, type SheetRequests } from './sheets.ts';
export { checkHostCall, HOST_SIDE_DEFINITIONS, hostRegistry, paramsOf } from './validate.ts';
