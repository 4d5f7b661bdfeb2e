/**
 * The signed Open API client of this back end, built from the sandbox credentials that
 * `lily app create` saved in `.lily/sandbox.json` (mode 0600; never commit it). On a real server,
 * take the same values from your secret store instead.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LilyOpenClient } from 'lily-open-client';

/** What `lily app create` saved: the app's sandbox key and the bank's public key. */
export interface SandboxCredentials {
  appId: string;
  serialNo: string;
  privateKey: string;
  bank: { publicKey: string; serial?: string };
  /** The Lily server the merchant signed up on. */
  server: string;
}

/** Where the credentials are. */
export const CREDENTIALS_FILE = fileURLToPath(new URL('../.lily/sandbox.json', import.meta.url));

/** Reads the credentials; exits with a hint when they are not there yet. */
export function loadCredentials(file = CREDENTIALS_FILE): SandboxCredentials {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SandboxCredentials;
  } catch {
    console.error(`No credentials in ${file}: run \`npx lily app create\` in this folder first.`);
    process.exit(1);
  }
}

/**
 * The client and the credentials it signs with. `LILY_SERVER` overrides the server.
 *
 * @example
 * ```ts
 * const { lily } = openApi();
 * console.log(await lily.get('/open/v1/ping')); // { appId, env: 'sandbox', time }
 * ```
 */
export function openApi(): { lily: LilyOpenClient; credentials: SandboxCredentials } {
  const credentials = loadCredentials();
  const lily = new LilyOpenClient({
    baseUrl: process.env.LILY_SERVER ?? credentials.server,
    appId: credentials.appId,
    serialNo: credentials.serialNo,
    privateKey: credentials.privateKey,
    bankPublicKey: credentials.bank.publicKey,
    ...(credentials.bank.serial ? { bankSerial: credentials.bank.serial } : {}),
  });
  return { lily, credentials };
}
