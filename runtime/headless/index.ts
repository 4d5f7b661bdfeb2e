/**
 * The headless host: runs mini-apps without a screen, for tests, the simulator CLI and review.
 */
export { HeadlessApp, HeadlessHost, STANDALONE_ANSWER, type HeadlessBridge, type HeadlessBridgeContext, type HeadlessHostOptions, type OpenOptions } from './host.ts';
export { answerHostCall, HEADLESS_SYSTEM_INFO, HOST_CAPABILITIES, type HostCapabilityContext, type HostUiState, type SystemInfo, type ToastRecord } from './capabilities.ts';
export { DISMISSED, HostSheets, type SheetAnswers, type SheetKind, type SheetRecord, type SheetRequests } from './sheets.ts';
