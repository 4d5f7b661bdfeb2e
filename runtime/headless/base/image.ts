/**
 * `base.image` in the headless host. `chooseImage` opens the host's photo sheet; only the
 * user's picks reach the mini-app, as host temporary files (`lilyfile://tmp/<random>.<ext>`)
 * that name no album path and no package, belong to the app that received them and are forgotten
 * when it closes. `previewImage` shows only package assets, this app's temporary files and
 * `https:` images on the manifest's domains.
 */
import type { BridgeAnswer, BridgeCall } from '../../../protocol/bridge.ts';
import { checkImageSource } from '../../view/tree.ts';
import type { HostCapabilityContext } from '../capabilities.ts';
import type { TempFile } from '../device.ts';
import type { PickedImage } from '../sheets.ts';
import { cancelled, fail, invalid, ok, randomId, unknownMethod, type Params } from './common.ts';

/** Longest edge of a `compressed` pick, in pixels. */
const COMPRESSED_EDGE = 1080;
const MAX_BYTES = 50 * 1024 * 1024;
const MAX_EDGE = 20_000;
const EXT: Record<TempFile['type'], string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' };
const TEMP_PREFIX = 'lilyfile://tmp/';

const clampInt = (v: number, min: number, max: number) => Math.max(min, Math.min(max, Math.round(Number.isFinite(v) ? v : min)));

/** What the mini-app gets for one pick: re-encoded to JPEG within 1080 px when `compressed`. */
function describe(pick: PickedImage, compressed: boolean): Omit<TempFile, 'path'> {
  const type: TempFile['type'] = pick.type in EXT ? pick.type : 'image/jpeg';
  let width = clampInt(pick.width, 1, MAX_EDGE);
  let height = clampInt(pick.height, 1, MAX_EDGE);
  let size = clampInt(pick.size, 1, MAX_BYTES);
  if (!compressed) return { type, width, height, size };
  const scale = Math.min(1, COMPRESSED_EDGE / Math.max(width, height));
  width = Math.max(1, Math.round(width * scale));
  height = Math.max(1, Math.round(height * scale));
  size = Math.max(1, Math.ceil(size * scale * scale));
  return { type: 'image/jpeg', width, height, size };
}

function chooseImage(call: BridgeCall, p: Params, ctx: HostCapabilityContext): Promise<BridgeAnswer> {
  const count = typeof p.count === 'number' ? p.count : 9;
  const sourceType = Array.isArray(p.sourceType) ? (p.sourceType as ('album' | 'camera')[]) : ['album' as const, 'camera' as const];
  const sizeType = p.sizeType === 'original' ? 'original' : 'compressed';
  return ctx.sheets.show('image', { appId: call.appId, count, sourceType, sizeType }).then((answer): BridgeAnswer => {
    if ('cancel' in answer || !Array.isArray(answer.images) || answer.images.length === 0) return cancelled();
    const images = answer.images.slice(0, count).map((pick) => {
      const file = describe(pick, sizeType === 'compressed');
      const path = `${TEMP_PREFIX}${randomId()}.${EXT[file.type]}`;
      ctx.appState.tempFiles.set(path, { path, ...file });
      return { tempFilePath: path, ...file };
    });
    return { result: { images } };
  });
}

function previewImage(p: Params, ctx: HostCapabilityContext): BridgeAnswer {
  const urls = p.urls as string[];
  const current = typeof p.current === 'string' ? p.current : urls[0]!;
  if (!urls.includes(current)) return invalid('current must be one of urls.');
  const view = { assets: ctx.instance.verified.assets, domains: ctx.instance.manifest.domains };
  const shown: string[] = [];
  for (const url of urls) {
    const src = url.startsWith(TEMP_PREFIX) ? (ctx.appState.tempFiles.has(url) ? url : undefined) : checkImageSource(url, view);
    if (src === undefined) {
      return fail('PERMISSION_DENIED', 'Only package assets, your temporary files and https images on your manifest domains can be previewed.', {
        url: url.slice(0, 200),
      });
    }
    shown.push(src);
  }
  ctx.appState.previews.push({ urls: shown, current: shown[urls.indexOf(current)]! });
  return ok();
}

/** Answers `base.image` calls. */
export async function answerImage(call: BridgeCall, p: Params, ctx: HostCapabilityContext): Promise<BridgeAnswer> {
  switch (call.method) {
    case 'chooseImage':
      return chooseImage(call, p, ctx);
    case 'previewImage':
      return previewImage(p, ctx);
    default:
      return unknownMethod(call);
  }
}
