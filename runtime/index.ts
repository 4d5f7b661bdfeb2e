/**
 * The Lily mini-app runtime: platform-neutral entry point (no DOM, no Node built-ins), for the
 * browser host's Web Worker, the headless host and the server's automated review.
 *
 * Node-only tools live elsewhere: `runtime/package/pack.ts` (bundling a source folder).
 */
export { loadEngine, loadFreshEngine, type SandboxModule } from './engine.ts';
export {
  isEngineFaulted,
  limitPayload,
  liveInstances,
  MiniAppInstance,
  type EventOutcome,
  type GuestErrorInfo,
  type HostEvent,
  type InstanceEvents,
  type InstanceOptions,
  type InstanceState,
  type LaunchOptions,
  type LogEntry,
  type NavigateRequest,
  type PageInfo,
  type RenderUpdate,
} from './instance.ts';
export { DEFAULT_LIMITS, MAX_STACK_SETTINGS, resolveLimits, TokenBucket, utf8Length, type SandboxLimitName, type SandboxLimits } from './limits.ts';
export { checkQuery, parseQuery, resolvePageUrl, type PageTarget } from './navigation.ts';
export { ManualScheduler, realScheduler, type Scheduler } from './scheduler.ts';
export { canonicalJson } from './package/canonical.ts';
export {
  computeDigests,
  createPackage,
  MAX_ASSETS,
  MAX_PACKAGE_BYTES,
  MAX_PACKAGE_FILE_BYTES,
  MAX_SCRIPT_BYTES,
  PACKAGE_FORMAT,
  parsePackage,
  serializePackage,
  type LilyPackage,
  type PackageDigests,
  type PackageSignature,
  type PackageSizes,
} from './package/format.ts';
export { MANIFEST_SCHEMA, validateManifest, type FieldError, type Manifest, type ManifestCapability } from './package/manifest.ts';
export { isVerifiedPackage, packageRecord, signPackage, signRecord, verifyPackage, verifySignedRecord, type PackageRecord, type VerifiedPackage } from './package/sign.ts';
export { COMMON_PROPS, COMPONENTS, componentSpec, EVENT_TYPES, type ComponentName, type ComponentSpec, type EventType, type PropKind } from './view/components.ts';
export { checkImageSource, datasetOf, findHandlerNode, isScriptUrl, validateViewTree, type ValidatedView, type ViewChild, type ViewContext, type ViewNode, type ViewProblem, type ViewPropValue } from './view/tree.ts';
export { renderTreeText, treeText } from './view/text.ts';
