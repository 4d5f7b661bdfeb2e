/**
 * A Lily server for the bridge payment benchmark, in its own process, at production settings
 * (scrypt PIN hashes at the default cost, fsync per commit): N users with a PIN and a funded
 * wallet, a live app with payment.cashier granted, and K prepays per user created through the
 * payment service. Prints one JSON line and serves until killed.
 */
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { boot } from '../../server/boot.ts';
import { loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/log.ts';
import { seedWallets } from '../../server/payments/index.ts';
import { createLiveApp } from '../../test/helpers/apps.ts';

const users = Number(process.argv[2] ?? 100);
const perUser = Number(process.argv[3] ?? 5);
const dataDir = mkdtempSync(path.join(tmpdir(), 'lily-bench-pay-'));
const config = loadConfig({ LILY_DATA_DIR: dataDir, LOG_LEVEL: 'silent', PORT: '0', HOST: '127.0.0.1', LILY_SEED: 'false' });
const booted = await boot(config, createLogger('silent'));
const { deps } = booted;
await createLiveApp(deps, { appId: 'benchpay', capabilities: ['payment.cashier'] });
const out: { token: string; prepays: string[] }[] = [];
const ids: string[] = [];
for (let i = 0; i < users; i++) {
  const username = `payer${i}`;
  const { id } = await deps.identity.createAccount('user', { username, password: 'payer-password' });
  await deps.identity.setPin(id, 'payer-password', '246810');
  ids.push(id);
  const token = (await deps.identity.login('user', username, 'payer-password')).token;
  const prepays: string[] = [];
  for (let k = 0; k < perUser; k++) {
    const scope = { store: deps.store, env: 'production' as const, appId: 'benchpay', now: Date.now };
    const { prepayId } = await deps.payments.createPrepay(scope, { openId: deps.tokens.openId(id, 'benchpay'), outTradeNo: `b-${i}-${k}`, amount: 990 + k, description: '快车' });
    prepays.push(prepayId);
  }
  out.push({ token, prepays });
}
await seedWallets(deps.store, ids, 'production');
await new Promise<void>((resolve) => booted.lily.server.listen(0, '127.0.0.1', resolve));
const { port } = booted.lily.server.address() as AddressInfo;
process.stdout.write(`${JSON.stringify({ port, users: out, scryptCost: config.pinScryptCost })}\n`);
process.on('SIGTERM', () => {
  void booted.close().then(() => process.exit(0));
});
