/**
 * `base.location` in the headless host: `getLocation` from the device's location provider,
 * `chooseLocation` through the host's place-picker sheet. Consent to `scope.location` is the
 * host gates' job (`runtime/headless/gates.ts`), before a call gets here.
 */
import type { BridgeAnswer, BridgeCall } from '../../../protocol/bridge.ts';
import type { HostCapabilityContext } from '../capabilities.ts';
import { cancelled, fail, unknownMethod, type Params } from './common.ts';

type CoordType = 'wgs84' | 'gcj02';

// GCJ-02 ("Mars coordinates"), the datum Chinese map services require: the published
// Krasovsky-ellipsoid offset formula. Outside China the two datums coincide.
const A = 6378245.0;
const EE = 0.00669342162296594323;

function outOfChina(lat: number, lng: number): boolean {
  return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271;
}

function offset(lat: number, lng: number): { dLat: number; dLng: number } {
  const x = lng - 105;
  const y = lat - 35;
  const pi = Math.PI;
  const common = ((20 * Math.sin(6 * x * pi) + 20 * Math.sin(2 * x * pi)) * 2) / 3;
  let dLat = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x)) + common;
  dLat += ((20 * Math.sin(y * pi) + 40 * Math.sin((y / 3) * pi)) * 2) / 3;
  dLat += ((160 * Math.sin((y / 12) * pi) + 320 * Math.sin((y * pi) / 30)) * 2) / 3;
  let dLng = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x)) + common;
  dLng += ((20 * Math.sin(x * pi) + 40 * Math.sin((x / 3) * pi)) * 2) / 3;
  dLng += ((150 * Math.sin((x / 12) * pi) + 300 * Math.sin((x / 30) * pi)) * 2) / 3;
  const radLat = (lat / 180) * pi;
  const magic = 1 - EE * Math.sin(radLat) ** 2;
  const sqrtMagic = Math.sqrt(magic);
  return {
    dLat: (dLat * 180) / (((A * (1 - EE)) / (magic * sqrtMagic)) * pi),
    dLng: (dLng * 180) / ((A / sqrtMagic) * Math.cos(radLat) * pi),
  };
}

/**
 * Converts WGS-84 coordinates to GCJ-02 (unchanged outside China).
 *
 * @example
 * ```ts
 * wgs84ToGcj02(31.2304, 121.4737); // ≈ { latitude: 31.2284, longitude: 121.4781 }
 * ```
 */
export function wgs84ToGcj02(latitude: number, longitude: number): { latitude: number; longitude: number } {
  if (outOfChina(latitude, longitude)) return { latitude, longitude };
  const { dLat, dLng } = offset(latitude, longitude);
  return { latitude: latitude + dLat, longitude: longitude + dLng };
}

const clampLat = (v: number) => Math.max(-90, Math.min(90, v));
const clampLng = (v: number) => Math.max(-180, Math.min(180, v));
const round = (v: number) => Math.round(v * 1e6) / 1e6;

/** Answers `base.location` calls. */
export async function answerLocation(call: BridgeCall, p: Params, ctx: HostCapabilityContext): Promise<BridgeAnswer> {
  switch (call.method) {
    case 'getLocation': {
      const type: CoordType = p.type === 'gcj02' ? 'gcj02' : 'wgs84';
      const fix = await ctx.device.locate(p.highAccuracy === true);
      if (fix === 'timeout') return fail('TIMEOUT', 'The device did not find its position in time.');
      if (!fix || !Number.isFinite(fix.latitude) || !Number.isFinite(fix.longitude)) {
        return fail('UNAVAILABLE', 'The device has no position fix right now.');
      }
      const at = type === 'gcj02' ? wgs84ToGcj02(fix.latitude, fix.longitude) : fix;
      const accuracy = Math.max(0, Math.min(100_000, Number.isFinite(fix.accuracy) ? fix.accuracy : 100_000));
      return { result: { latitude: round(clampLat(at.latitude)), longitude: round(clampLng(at.longitude)), type, accuracy } };
    }
    case 'chooseLocation': {
      const answer = await ctx.sheets.show('location', {
        appId: call.appId,
        ...(typeof p.latitude === 'number' ? { latitude: p.latitude } : {}),
        ...(typeof p.longitude === 'number' ? { longitude: p.longitude } : {}),
        ...(typeof p.keyword === 'string' ? { keyword: p.keyword } : {}),
      });
      if ('cancel' in answer) return cancelled();
      if (!Number.isFinite(answer.latitude) || !Number.isFinite(answer.longitude)) return cancelled();
      return {
        result: {
          name: String(answer.name).slice(0, 100),
          address: String(answer.address).slice(0, 200),
          latitude: round(clampLat(answer.latitude)),
          longitude: round(clampLng(answer.longitude)),
          type: answer.type === 'wgs84' ? 'wgs84' : 'gcj02',
        },
      };
    }
    default:
      return unknownMethod(call);
  }
}
