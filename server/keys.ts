/**
 * The bank's SM2 key pair: signs mini-app packages, release records, Open API responses and
 * webhooks. Loaded from configured files, or created under the data dir at first start.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateSm2KeyPair, isValidPublicKey, publicKeyOf, sm3 } from '../runtime/crypto/sm.ts';
import { ConfigError, type Config } from './config.ts';

/** The bank's signing key. */
export interface BankKeys {
  /** Key id published with every signature (first 16 hex chars of SM3 of the public key). */
  serial: string;
  privateKey: string;
  publicKey: string;
}

/** The key id of a public key. */
export function keySerial(publicKey: string): string {
  return sm3(publicKey.toLowerCase()).slice(0, 16).toUpperCase();
}

function fromHexPair(privateKey: string, publicKey: string, source: string): BankKeys {
  if (!/^[0-9a-fA-F]{64}$/.test(privateKey)) throw new ConfigError(`${source}: the private key must be 64 hex characters`);
  if (!isValidPublicKey(publicKey)) throw new ConfigError(`${source}: the public key is not a valid SM2 point`);
  if (publicKeyOf(privateKey).toLowerCase() !== publicKey.toLowerCase()) {
    throw new ConfigError(`${source}: the public key does not belong to the private key`);
  }
  return { serial: keySerial(publicKey), privateKey: privateKey.toLowerCase(), publicKey: publicKey.toLowerCase() };
}

/**
 * Loads the bank key pair, creating and persisting one (mode 0600) when none exists yet.
 *
 * @example
 * ```ts
 * const bank = loadOrCreateBankKeys(config); // { serial: '3F2A…', privateKey, publicKey }
 * ```
 */
export function loadOrCreateBankKeys(config: Pick<Config, 'dataDir' | 'bankPrivateKeyFile' | 'bankPublicKeyFile'>): BankKeys {
  if (config.bankPrivateKeyFile && config.bankPublicKeyFile) {
    return fromHexPair(
      readFileSync(config.bankPrivateKeyFile, 'utf8').trim(),
      readFileSync(config.bankPublicKeyFile, 'utf8').trim(),
      'LILY_BANK_PRIVATE_KEY_FILE/LILY_BANK_PUBLIC_KEY_FILE',
    );
  }
  const dir = path.join(config.dataDir, 'keys');
  const file = path.join(dir, 'bank-sm2.json');
  if (existsSync(file)) {
    let parsed: { privateKey?: unknown; publicKey?: unknown };
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8')) as typeof parsed;
    } catch {
      throw new ConfigError(`${file} is not valid JSON; restore it from backup or remove it to create a new bank key`);
    }
    return fromHexPair(String(parsed.privateKey ?? ''), String(parsed.publicKey ?? ''), file);
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pair = generateSm2KeyPair();
  const keys: BankKeys = { serial: keySerial(pair.publicKey), ...pair };
  // Write then rename, so a crash never leaves a half-written key file behind.
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ ...keys, createdAt: new Date().toISOString() }, null, 2), { mode: 0o600 });
  renameSync(tmp, file);
  chmodSync(file, 0o600);
  return keys;
}

/** The session-token secret: configured, or created once under the data dir. */
export function loadOrCreateSessionSecret(config: Pick<Config, 'dataDir' | 'sessionSecret'>): string {
  if (config.sessionSecret) return config.sessionSecret;
  return loadOrCreateSecret(config, 'session.secret');
}

/**
 * A random secret kept in `<dataDir>/keys/<name>`, created at first use. With several server
 * processes, share the data dir's `keys` folder (or configure the secrets) so they agree.
 */
export function loadOrCreateSecret(config: Pick<Config, 'dataDir'>, name: string): string {
  const dir = path.join(config.dataDir, 'keys');
  const file = path.join(dir, name);
  if (existsSync(file)) {
    const secret = readFileSync(file, 'utf8').trim();
    if (secret.length >= 32) return secret;
    throw new ConfigError(`${file} holds a secret shorter than 32 characters; remove it to create a new one`);
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const secret = Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, secret, { mode: 0o600 });
  renameSync(tmp, file);
  return secret;
}
