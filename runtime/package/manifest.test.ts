import { describe, expect, it } from 'vitest';
import { LilyError } from '../../protocol/errors.ts';
import { validateManifest, type Manifest } from './manifest.ts';

const good: Manifest = {
  appId: 'com.example.rides',
  name: 'Rides',
  version: '1.2.0',
  category: 'ride-hailing',
  icon: 'assets/icon.png',
  pages: ['pages/index/index', 'pages/ride/track'],
  capabilities: [{ id: 'payment.cashier', reason: 'Pay for the ride.' }],
  domains: ['api.rides.example.com'],
  minHostVersion: '1.0.0',
};

function errorsOf(data: unknown): { field: string; message: string }[] {
  try {
    validateManifest(data);
  } catch (e) {
    expect(e).toBeInstanceOf(LilyError);
    expect((e as LilyError).code).toBe('PACKAGE_INVALID');
    return (e as LilyError).details?.errors as { field: string; message: string }[];
  }
  return [];
}

describe('validateManifest', () => {
  it('accepts a good manifest', () => {
    expect(validateManifest(good)).toBe(good);
  });

  it('names every bad field with a sentence', () => {
    const errors = errorsOf({
      ...good,
      appId: 'Rides!',
      version: 'v1',
      pages: ['index'],
      capabilities: [{ id: 'cashier', reason: 'x' }],
      domains: ['https://api.example.com/'],
      icon: '/etc/passwd',
      colour: 'red',
    });
    expect(errors).toEqual(
      expect.arrayContaining([
        { field: '/appId', message: expect.stringContaining('lower-case') },
        { field: '/version', message: 'must be a semantic version such as 1.2.0' },
        { field: '/pages/0', message: 'must be a route such as pages/index/index' },
        { field: '/capabilities/0/id', message: 'must be a capability id such as payment.cashier' },
        { field: '/capabilities/0/reason', message: expect.any(String) },
        { field: '/domains/0', message: expect.stringContaining('host name') },
        { field: '/icon', message: 'must be a package asset path such as assets/icon.png' },
        { field: '/colour', message: 'is not a manifest field (check the spelling)' },
      ]),
    );
  });

  it('reports missing fields and duplicate capabilities', () => {
    const { name: _n, ...noName } = good;
    expect(errorsOf(noName)).toEqual([{ field: '/name', message: 'is required' }]);
    expect(errorsOf({ ...good, capabilities: [good.capabilities[0], good.capabilities[0]] })).toEqual([
      { field: '/capabilities/1/id', message: 'lists payment.cashier twice' },
    ]);
    expect(errorsOf('nope')).toEqual([{ field: '/', message: 'must be object' }]);
  });
});
