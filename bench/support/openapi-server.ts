/**
 * A Lily server for the Open API benchmark, in its own process: a live sandbox app with
 * payment.cashier granted, its signing key, a demo user's open id, and the per-app Open API
 * limit raised (as a bank would for a high-volume merchant) so the benchmark measures the
 * gateway, not the throttle. It logs as in production (an access line per request, level `info`
 * unless BENCH_LOG_LEVEL says otherwise), to /dev/null. Prints one JSON line and serves until
 * killed.
 */
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { boot } from '../../server/boot.ts';
import { loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/log.ts';
import { pino } from 'pino';
import { createLiveApp } from '../../test/helpers/apps.ts';

const dataDir = mkdtempSync(path.join(tmpdir(), 'lily-bench-open-'));
const config = loadConfig({
  LILY_DATA_DIR: dataDir,
  LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
  LILY_SCRYPT_COST: '1024',
  HOST: '127.0.0.1',
  PORT: '0',
  LILY_OPEN_API_PER_MINUTE: '1000000',
  LILY_STORE_DURABILITY: process.env.LILY_STORE_DURABILITY ?? 'full',
});
const booted = await boot(config, createLogger(config.logLevel, pino.destination({ dest: '/dev/null', sync: false })));
const { deps } = booted;
await createLiveApp(deps, { appId: 'benchpay', capabilities: ['payment.cashier'], env: 'sandbox' });
const { credential, privateKey } = await deps.credentials.generate('benchpay', 'sandbox');
const alice = await deps.identity.findAccount('user', 'alice');
await new Promise<void>((resolve) => booted.lily.server.listen(0, '127.0.0.1', resolve));
const { port } = booted.lily.server.address() as AddressInfo;
process.stdout.write(
  `${JSON.stringify({ port, logLevel: config.logLevel, appId: 'benchpay', serialNo: credential.serial, privateKey, openId: deps.tokens.openId(alice!._id, 'benchpay'), storeDurability: config.storeDurability, cryptoThreads: config.cryptoThreads })}\n`,
);
process.on('SIGTERM', () => {
  void booted.close().then(() => process.exit(0));
});
