import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../capabilities/index.ts';
import type { BridgeCall } from '../../protocol/bridge.ts';
import { wgs84ToGcj02 } from './base/location.ts';
import { HOST_CAPABILITIES } from './capabilities.ts';
import { HeadlessDevice } from './device.ts';
import { checkHostCall, HOST_SIDE_DEFINITIONS } from './validate.ts';

const call = (capability: string, method: string, params: unknown, userGesture = true): BridgeCall => ({
  instanceId: 'i1',
  appId: 'com.example.app',
  capability,
  method,
  params,
  callId: 1,
  userGesture,
});

describe('host capabilities', () => {
  it('are exactly the host-side capabilities of the catalog, with all their methods', () => {
    const catalog = defaultRegistry()
      .list()
      .filter((c) => c.side === 'host')
      .map((c) => ({ id: c.id, methods: Object.keys(c.methods).sort() }));
    const hosted = HOST_CAPABILITIES.map((c) => ({ id: c.id, methods: [...c.methods].sort() }));
    expect(hosted.sort((a, b) => a.id.localeCompare(b.id))).toEqual(catalog.sort((a, b) => a.id.localeCompare(b.id)));
    expect(HOST_SIDE_DEFINITIONS.map((d) => d.id).sort()).toEqual(catalog.map((c) => c.id));
  });

  it('check params against the catalog and the user-gesture flag', () => {
    expect(checkHostCall(call('base.phone', 'makePhoneCall', { phoneNumber: '021-5555 0101' }), { phoneNumber: '021-5555 0101' })).toBeNull();
    expect(checkHostCall(call('base.phone', 'makePhoneCall', {}, true), {})?.code).toBe('INVALID_PARAMS');
    expect(checkHostCall(call('base.phone', 'makePhoneCall', {}, false), { phoneNumber: '110' })?.code).toBe('PERMISSION_DENIED');
    expect(checkHostCall(call('base.ui', 'hideLoading', {}), { now: true })?.message).toMatch(/now is not an allowed field/);
    expect(checkHostCall(call('base.ui', 'nope', {}), {})?.code).toBe('UNKNOWN_CAPABILITY');
    // Relative page URLs are the runtime's to resolve.
    expect(checkHostCall(call('base.navigate', 'navigateTo', {}), { url: '../detail/detail?id=1' })).toBeNull();
    expect(checkHostCall(call('base.navigate', 'navigateTo', {}), { url: 'javascript:alert(1)' })?.code).toBe('INVALID_PARAMS');
  });
});

describe('device', () => {
  it('converts WGS-84 to GCJ-02 inside China only', () => {
    const shanghai = wgs84ToGcj02(31.2304, 121.4737);
    expect(shanghai.latitude).toBeCloseTo(31.22846, 4);
    expect(shanghai.longitude).toBeCloseTo(121.47822, 4);
    expect(wgs84ToGcj02(48.8584, 2.2945)).toEqual({ latitude: 48.8584, longitude: 2.2945 });
  });

  it('locates from a fix, a provider, nothing, or times out', async () => {
    expect(await new HeadlessDevice().locate(false)).toMatchObject({ latitude: 31.2304 });
    expect(await new HeadlessDevice({ location: null }).locate(false)).toBeNull();
    expect(await new HeadlessDevice({ location: ({ highAccuracy }) => ({ latitude: 1, longitude: 2, accuracy: highAccuracy ? 5 : 50 }) }).locate(true)).toEqual({
      latitude: 1,
      longitude: 2,
      accuracy: 5,
    });
    const slow = new HeadlessDevice({ location: () => new Promise(() => {}), locationTimeoutMs: 20 });
    expect(await slow.locate(false)).toBe('timeout');
  });
});
