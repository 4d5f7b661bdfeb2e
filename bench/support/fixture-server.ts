/**
 * A Lily server for benchmarks, in its own process so the load generator does not share its
 * event loop. Boots on a fresh data dir, creates a live app with base.storage and base.log
 * granted and N users, prints one JSON line `{port, users: [{token}]}` and serves until killed.
 */
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { boot } from '../../server/boot.ts';
import { loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/log.ts';
import { createLiveApp } from '../../test/helpers/apps.ts';

const users = Number(process.argv[2] ?? 200);
const dataDir = mkdtempSync(path.join(tmpdir(), 'lily-bench-'));
const config = loadConfig({ LILY_DATA_DIR: dataDir, LOG_LEVEL: 'silent', LILY_SCRYPT_COST: '1024', PORT: '0', HOST: '127.0.0.1', LILY_SEED: 'false' });
const booted = await boot(config, createLogger('silent'));
const { deps } = booted;
await createLiveApp(deps, { appId: 'benchapp', capabilities: ['base.storage', 'base.log'] });
const tokens: string[] = [];
for (let i = 0; i < users; i++) {
  const username = `bench${i}`;
  await deps.identity.createAccount('user', { username, password: 'bench-password' });
  tokens.push((await deps.identity.login('user', username, 'bench-password')).token);
}
await new Promise<void>((resolve) => booted.lily.server.listen(0, '127.0.0.1', resolve));
const { port } = booted.lily.server.address() as AddressInfo;
process.stdout.write(`${JSON.stringify({ port, tokens, dataDir })}\n`);
process.on('SIGTERM', () => {
  void booted.close().then(() => process.exit(0));
});
