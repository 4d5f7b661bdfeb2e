import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

const dir = () => mkdtempSync(path.join(tmpdir(), 'lily-config-'));

describe('loadConfig', () => {
  it('has working defaults', () => {
    const config = loadConfig({ LILY_DATA_DIR: dir() });
    expect(config.port).toBe(3000);
    expect(config.mongodbUri).toBeUndefined();
    expect(config.seed).toBe(true);
    expect(config.demo).toBe(false);
    expect(config.allowPrivateNetwork).toBe(false);
    expect(config.publicUrl).toBe('http://localhost:3000');
    expect(config.cryptoThreads).toBe(Math.min(4, availableParallelism() - 1));
    expect(loadConfig({ LILY_DATA_DIR: dir(), LILY_CRYPTO_THREADS: '0' }).cryptoThreads).toBe(0);
  });

  it('lets the demo allow private networks, and an explicit setting win', () => {
    expect(loadConfig({ LILY_DATA_DIR: dir() }, { demo: true }).allowPrivateNetwork).toBe(true);
    expect(loadConfig({ LILY_DATA_DIR: dir(), LILY_ALLOW_PRIVATE_NETWORK: 'false' }, { demo: true }).allowPrivateNetwork).toBe(false);
  });

  it.each([
    [{ PORT: 'abc' }, /PORT must be a whole number, got "abc"/],
    [{ PORT: '70000' }, /PORT must be between 0 and 65535/],
    [{ MONGODB_URI: 'http://x' }, /MONGODB_URI must start with mongodb:\/\//],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of/],
    [{ LILY_SEED: 'maybe' }, /LILY_SEED must be true or false/],
    [{ LILY_SESSION_SECRET: 'short' }, /at least 32 characters/],
    [{ LILY_BANK_PRIVATE_KEY_FILE: '/nonexistent/key' }, /does not exist or cannot be read/],
    [{ LILY_SCRYPT_COST: '3000' }, /power of two/],
    [{ LILY_PUBLIC_URL: 'not a url' }, /LILY_PUBLIC_URL must be an absolute URL/],
    [{ LILY_STORE_DURABILITY: 'sometimes' }, /LILY_STORE_DURABILITY must be full or normal/],
    [{ LILY_PIN_SCRYPT_COST: '5000' }, /LILY_PIN_SCRYPT_COST must be a power of two/],
    [{ LILY_DEMO_BASE_PORT: 'x' }, /LILY_DEMO_BASE_PORT must be a whole number/],
    [{ LILY_CRYPTO_THREADS: 'many' }, /LILY_CRYPTO_THREADS must be a whole number/],
    [{ LILY_CRYPTO_THREADS: '65' }, /LILY_CRYPTO_THREADS must be between 0 and 64/],
  ])('refuses %o with a one-line reason', (env, message) => {
    expect(() => loadConfig({ LILY_DATA_DIR: dir(), ...env })).toThrow(ConfigError);
    expect(() => loadConfig({ LILY_DATA_DIR: dir(), ...env })).toThrow(message);
  });

  it('needs both bank key files or neither', () => {
    const d = dir();
    const file = path.join(d, 'priv');
    writeFileSync(file, 'x');
    expect(() => loadConfig({ LILY_DATA_DIR: d, LILY_BANK_PRIVATE_KEY_FILE: file })).toThrow(/both/);
  });

  it('refuses a data dir that is a file or not writable', () => {
    const d = dir();
    const file = path.join(d, 'file');
    writeFileSync(file, 'x');
    expect(() => loadConfig({ LILY_DATA_DIR: file })).toThrow(/LILY_DATA_DIR/);
    if (process.getuid?.() !== 0) {
      const ro = path.join(d, 'ro');
      loadConfig({ LILY_DATA_DIR: ro });
      chmodSync(ro, 0o500);
      expect(() => loadConfig({ LILY_DATA_DIR: ro })).toThrow(/not readable and writable/);
    }
  });
});
