/**
 * Configuration from the environment, validated once at start.
 *
 * Every setting has a documented default (see `.env.example` and the README). A bad value stops
 * the server with one line naming the variable and what is wrong, never a stack trace.
 */
import { availableParallelism } from 'node:os';
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** The validated configuration. */
export interface Config {
  /** TCP port of the HTTP and socket.io server. */
  port: number;
  /** Interface to bind. */
  host: string;
  /** Public base URL (used in links and package locations). */
  publicUrl: string;
  /** MongoDB connection string; when absent the embedded store is used. */
  mongodbUri: string | undefined;
  /** MongoDB database name. */
  mongodbDb: string;
  /** Directory of the embedded store, the bank keys and uploaded packages. */
  dataDir: string;
  /**
   * Embedded store durability: `full` fsyncs every commit (survives power loss); `normal` lets the
   * OS write back (survives a crash of the process, kill -9 included, but may lose the last
   * commits on power loss), several times faster for writes.
   */
  storeDurability: 'full' | 'normal';
  /** Bank SM2 key files; when absent a key pair is created under the data dir at first start. */
  bankPrivateKeyFile: string | undefined;
  bankPublicKeyFile: string | undefined;
  /** Secret that signs session tokens; when absent one is created under the data dir. */
  sessionSecret: string | undefined;
  /** Session lifetime in seconds. */
  sessionTtlSeconds: number;
  /** pino log level. */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Seed demo users, the ops admin and sample data on start (idempotent). */
  seed: boolean;
  /** Local demo mode (`npm start`): sample merchants and their back ends run in-process. */
  demo: boolean;
  /** First port of the sample merchant back ends in demo mode (0: any free ports). */
  demoBasePort: number;
  /**
   * Whether `base.request` may reach private and loopback addresses. Off unless the deployment
   * allows it explicitly; the local demo allows it so mini-apps reach their sample back ends.
   */
  allowPrivateNetwork: boolean;
  /** Cost of scrypt password and PIN hashing (N); lower only for tests. */
  scryptCost: number;
  /** scrypt cost (N) of payment-PIN hashes (peppered with a secret kept outside the store). */
  pinScryptCost: number;
  /**
   * Open API requests per minute per app, overriding every rate tier (for a bank that sells a
   * higher throughput package); undefined keeps the per-tier defaults.
   */
  openApiPerMinute: number | undefined;
  /**
   * Worker threads that verify Open API signatures and sign the bank's answers (SM2), so the
   * event loop stays free; 0 computes inline. Default: one less than the cores, at most 4.
   */
  cryptoThreads: number;
}

/** A configuration problem, reported as one line at start. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  const value = Number(raw.trim());
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${env[name]}"`);
}

function readableFile(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const file = path.resolve(raw);
  try {
    accessSync(file, constants.R_OK);
  } catch {
    throw new ConfigError(`${name} points to ${file}, which does not exist or cannot be read`);
  }
  return file;
}

/** Makes sure the data dir exists and is writable; throws a ConfigError otherwise. */
function usableDir(name: string, dir: string): string {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new ConfigError(`${name} ${dir} cannot be created (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    if (!statSync(dir).isDirectory()) throw new ConfigError(`${name} ${dir} is not a directory`);
    accessSync(dir, constants.R_OK | constants.W_OK);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`${name} ${dir} is not readable and writable by this user`);
  }
  return dir;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * Reads and validates the configuration.
 *
 * @example
 * ```ts
 * const config = loadConfig(process.env, { demo: true }); // throws ConfigError('PORT must be a whole number, got "abc"')
 * ```
 */
export function loadConfig(env: Env = process.env, options: { demo?: boolean } = {}): Config {
  const demo = bool(env, 'LILY_DEMO', options.demo ?? false);
  const port = int(env, 'PORT', 3000, 0, 65535);
  const host = env.HOST?.trim() || '0.0.0.0';
  const dataDir = usableDir('LILY_DATA_DIR', path.resolve(env.LILY_DATA_DIR?.trim() || 'data'));

  const storeDurability = (env.LILY_STORE_DURABILITY?.trim() || 'full') as Config['storeDurability'];
  if (storeDurability !== 'full' && storeDurability !== 'normal') {
    throw new ConfigError(`LILY_STORE_DURABILITY must be full or normal, got "${env.LILY_STORE_DURABILITY}"`);
  }
  const mongodbUri = env.MONGODB_URI?.trim() || undefined;
  if (mongodbUri !== undefined && !/^mongodb(\+srv)?:\/\//.test(mongodbUri)) {
    throw new ConfigError('MONGODB_URI must start with mongodb:// or mongodb+srv://');
  }

  const logLevel = (env.LOG_LEVEL?.trim() || 'info') as Config['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);
  }

  const bankPrivateKeyFile = readableFile(env, 'LILY_BANK_PRIVATE_KEY_FILE');
  const bankPublicKeyFile = readableFile(env, 'LILY_BANK_PUBLIC_KEY_FILE');
  if ((bankPrivateKeyFile === undefined) !== (bankPublicKeyFile === undefined)) {
    throw new ConfigError('set both LILY_BANK_PRIVATE_KEY_FILE and LILY_BANK_PUBLIC_KEY_FILE, or neither');
  }

  const sessionSecret = env.LILY_SESSION_SECRET || undefined;
  if (sessionSecret !== undefined && sessionSecret.length < 32) {
    throw new ConfigError('LILY_SESSION_SECRET must be at least 32 characters');
  }

  const publicUrl = (env.LILY_PUBLIC_URL?.trim() || `http://localhost:${port}`).replace(/\/+$/, '');
  try {
    new URL(publicUrl);
  } catch {
    throw new ConfigError(`LILY_PUBLIC_URL must be an absolute URL, got "${env.LILY_PUBLIC_URL}"`);
  }

  const scryptCost = int(env, 'LILY_SCRYPT_COST', 16384, 1024, 1 << 20);
  if ((scryptCost & (scryptCost - 1)) !== 0) throw new ConfigError('LILY_SCRYPT_COST must be a power of two');
  const pinScryptCost = int(env, 'LILY_PIN_SCRYPT_COST', Math.min(4096, scryptCost), 1024, 1 << 20);
  if ((pinScryptCost & (pinScryptCost - 1)) !== 0) throw new ConfigError('LILY_PIN_SCRYPT_COST must be a power of two');

  return {
    port,
    host,
    publicUrl,
    mongodbUri,
    mongodbDb: env.MONGODB_DB?.trim() || 'lily',
    dataDir,
    storeDurability,
    bankPrivateKeyFile,
    bankPublicKeyFile,
    sessionSecret,
    sessionTtlSeconds: int(env, 'LILY_SESSION_TTL_SECONDS', 8 * 3600, 60, 30 * 24 * 3600),
    logLevel,
    seed: bool(env, 'LILY_SEED', true),
    demo,
    demoBasePort: int(env, 'LILY_DEMO_BASE_PORT', 4100, 0, 65000),
    allowPrivateNetwork: bool(env, 'LILY_ALLOW_PRIVATE_NETWORK', demo),
    scryptCost,
    pinScryptCost,
    cryptoThreads: int(env, 'LILY_CRYPTO_THREADS', Math.min(4, Math.max(0, availableParallelism() - 1)), 0, 64),
    openApiPerMinute: env.LILY_OPEN_API_PER_MINUTE ? int(env, 'LILY_OPEN_API_PER_MINUTE', 0, 1, 10_000_000) : undefined,
  };
}
