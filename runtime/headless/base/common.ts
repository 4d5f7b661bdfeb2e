/**
 * Small helpers shared by the headless host's capability implementations: answer shapes and
 * parameter access. Parameters reach an implementation already checked against the method's
 * schema (`runtime/headless/validate.ts`), so these never re-validate.
 */
import type { BridgeAnswer, BridgeCall } from '../../../protocol/bridge.ts';
import type { ErrorCode, ErrorPayload } from '../../../protocol/errors.ts';

/** Guest params as an object (schema-checked before an implementation sees them). */
export type Params = Record<string, unknown>;

/** An error answer. */
export function fail(code: ErrorCode, message: string, details?: Record<string, unknown>): BridgeAnswer {
  return { error: { code, message, ...(details === undefined ? {} : { details }) } };
}

/** `INVALID_PARAMS` with a message naming the field. */
export const invalid = (message: string): BridgeAnswer => fail('INVALID_PARAMS', message);

/** The user closed the sheet. */
export const cancelled = (): BridgeAnswer => fail('USER_CANCELLED', 'The user cancelled.');

/** `{ok: true}`, the result of methods that only act. */
export const ok = (): BridgeAnswer => ({ result: { ok: true } });

/** The answer for a method the capability does not have. */
export const unknownMethod = (call: BridgeCall): BridgeAnswer =>
  fail('UNKNOWN_CAPABILITY', `No such method ${call.capability}.${call.method}.`);

/** A string param of at most `max` characters (at least 1 when required), or the error to answer. */
export function text(p: Params, key: string, max: number, required: boolean): string | undefined | ErrorPayload {
  const v = p[key];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string' || (required && v.length === 0) || v.length > max) {
    return { code: 'INVALID_PARAMS', message: `${key} must be a string of ${required ? 1 : 0} to ${max} characters.` };
  }
  return v;
}

/** True for an `{code, message}` error payload (as {@link text} answers). */
export const isError = (v: unknown): v is ErrorPayload => typeof v === 'object' && v !== null && 'code' in v;

/** A random id for host handles, from the platform's CSPRNG (Web Crypto, in browsers and Node). */
export function randomId(bytes = 12): string {
  const buf = new Uint8Array(bytes);
  globalThis.crypto.getRandomValues(buf);
  return Array.from(buf, (b) => b.toString(16).padStart(2, '0')).join('');
}
