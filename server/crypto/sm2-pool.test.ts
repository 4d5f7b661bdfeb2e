import { afterEach, describe, expect, it } from 'vitest';
import { generateSm2KeyPair, sm2Sign, sm2Verify, utf8 } from '../../runtime/crypto/sm.ts';
import { keySerial, type BankKeys } from '../keys.ts';
import { createSm2Service, type Sm2Pool } from './sm2-pool.ts';

const pair = generateSm2KeyPair();
const bank: BankKeys = { ...pair, serial: keySerial(pair.publicKey) };
const merchant = generateSm2KeyPair();

describe('SM2 service', () => {
  let service: Sm2Pool | undefined;
  afterEach(async () => {
    await service?.close();
    service = undefined;
  });

  for (const threads of [0, 2]) {
    it(`verifies and signs exactly as the inline functions do (${threads} threads)`, async () => {
      service = createSm2Service(bank, { threads });
      const message = utf8('POST\n/open/v1/payments/prepay\n1700000000\nnonce-nonce-nonce\n{}\n');
      const good = sm2Sign(message, merchant.privateKey, merchant.publicKey);
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          i % 4 === 0
            ? service!.verify(message, good, merchant.publicKey)
            : i % 4 === 1
              ? service!.verify(utf8('tampered'), good, merchant.publicKey)
              : i % 4 === 2
                ? service!.verify(message, 'zz-not-a-signature', merchant.publicKey)
                : service!.verify(message, good, 'not-a-key'),
        ),
      );
      expect(results).toEqual(Array.from({ length: 40 }, (_, i) => i % 4 === 0));
      const signed = await Promise.all(Array.from({ length: 10 }, (_, i) => service!.signBank(`body ${i}`)));
      signed.forEach((sig, i) => expect(sm2Verify(`body ${i}`, sig, bank.publicKey)).toBe(true));
      // SM2 signatures are randomized: no two alike.
      expect(new Set(signed).size).toBe(10);
    });
  }

  it('finishes the tasks of a worker that died, inline, and goes on with a new worker', async () => {
    const lost: unknown[] = [];
    service = createSm2Service(bank, { threads: 1, onWorkerLost: (err) => lost.push(err) });
    // Warm up so the worker is running, then kill it with tasks in flight.
    expect(await service.verify(utf8('m'), sm2Sign('m', merchant.privateKey), merchant.publicKey)).toBe(true);
    const inFlight = Array.from({ length: 20 }, (_, i) => service!.signBank(`after crash ${i}`));
    const [first] = service.workers();
    await first!.terminate();
    const signatures = await Promise.all(inFlight);
    signatures.forEach((sig, i) => expect(sm2Verify(`after crash ${i}`, sig, bank.publicKey)).toBe(true));
    expect(lost.length).toBeGreaterThanOrEqual(1);
    expect(service.workers()).toHaveLength(1);
    expect(service.workers()[0]).not.toBe(first);
    // The replacement answers.
    expect(await service.verify(utf8('m2'), sm2Sign('m2', merchant.privateKey), merchant.publicKey)).toBe(true);
  });

  it('runs inline after close', async () => {
    service = createSm2Service(bank, { threads: 1 });
    await service.close();
    expect(sm2Verify('x', await service.signBank('x'), bank.publicKey)).toBe(true);
  });
});
