import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPackage, decodeAssets } from '../../runtime/package/format.ts';
import { pack } from '../../runtime/package/pack.ts';
import { createSmokeRunner } from './smoke.ts';

const hello = path.resolve(import.meta.dirname, '../../sample-miniapps/hello');

describe('smoke launch in a worker thread', () => {
  it('launches and renders a sound package', async () => {
    const { pkg } = await pack(hello);
    const result = await createSmokeRunner()(pkg);
    expect(result).toMatchObject({ ok: true, pagesRendered: 1, error: null });
    expect(result.nodes).toBeGreaterThan(2);
  });

  it('reports a crash at launch without hurting the caller', async () => {
    const { pkg } = await pack(hello);
    const broken = createPackage(pkg.manifest, `throw new Error('boom');\n${pkg.script}`, decodeAssets(pkg.assets));
    const result = await createSmokeRunner()(broken);
    expect(result.ok).toBe(false);
    expect(result.error?.code).toBe('SANDBOX_CRASHED');
  });

  it('gives up on a package that does not answer before the deadline, and terminates its worker', async () => {
    const { pkg } = await pack(hello);
    const started = Date.now();
    const result = await createSmokeRunner({ deadlineMs: 1 })(pkg);
    expect(result).toMatchObject({ ok: false, error: { code: 'TIMEOUT' } });
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
