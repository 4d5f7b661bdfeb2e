/**
 * sm-crypto (≥ 0.5.8), the interoperability reference, loaded through `require` because it ships
 * no type declarations. Only the functions the tests use are typed.
 */
import { createRequire } from 'node:module';

/** SM2 options; always passed explicitly, because sm-crypto's defaults differ from Lily's. */
export interface SmCryptoSignOptions {
  der: boolean;
  hash: boolean;
  userId: string;
  publicKey?: string;
}

/** The part of sm-crypto the tests use. */
export interface SmCrypto {
  sm2: {
    generateKeyPairHex(): { privateKey: string; publicKey: string };
    doSignature(msg: string, privateKey: string, options: SmCryptoSignOptions): string;
    doVerifySignature(msg: string, signatureHex: string, publicKey: string, options: Omit<SmCryptoSignOptions, 'publicKey'>): boolean;
  };
}

/** The sm-crypto module. */
export const smCrypto = createRequire(import.meta.url)('sm-crypto') as SmCrypto;

/** Lily's options for sm-crypto: DER, SM3 with Z, user id 1234567812345678. */
export const LILY_SM2_OPTIONS = { der: true, hash: true, userId: '1234567812345678' } as const;
