/**
 * The Lily server process: reads config, boots, listens, and shuts down cleanly on SIGTERM/SIGINT.
 * Configuration mistakes end the process with one line, never a stack trace.
 */
import { boot } from './boot.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createLogger } from './log.ts';
import { StoreOpenError } from './store/types.ts';
import { loginHelp } from './seed.ts';
import { describeSamples } from './demo/index.ts';

function fail(message: string): never {
  process.stderr.write(`lily: ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env, { demo: process.argv.includes('--demo') });
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
  const log = createLogger(config.logLevel);

  let booted;
  try {
    booted = await boot(config, log);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof StoreOpenError) fail(err.message);
    const e = err as NodeJS.ErrnoException;
    log.error({ err }, 'start failed');
    fail(`could not start: ${e.code ? `${e.code} ` : ''}${e.message.split('\n')[0]}`);
  }

  const { server } = booted.lily;
  server.once('error', (err: NodeJS.ErrnoException) => {
    fail(
      err.code === 'EADDRINUSE'
        ? `port ${config.port} is already in use; set PORT to a free port`
        : err.code === 'EACCES'
          ? `not allowed to listen on port ${config.port}; set PORT to a port above 1023`
          : `cannot listen on ${config.host}:${config.port}: ${err.message}`,
    );
  });
  booted.startWorkers();
  server.listen(config.port, config.host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    log.info({ port, store: booted.deps.store.kind, dataDir: config.dataDir }, 'listening');
    if (config.seed) process.stdout.write(`\n${loginHelp(config.publicUrl)}\n\n`);
    if (booted.demo) process.stdout.write(`${describeSamples(booted.demo)}\n\n`);
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    booted
      .close()
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  fail(`unexpected error at start: ${(err as Error).message ?? String(err)}`);
});
