/**
 * How payment handlers use what the host's confirm sheet collected (`ctx.host`): no confirmation,
 * no money moves (USER_CANCELLED); the PIN the host collected is checked by an injected
 * `verifyPin` (the identity service's, with its lockout) after the request has been validated and
 * before any money moves.
 */
import type { CapabilityContext, HostConfirmation } from '../../capabilities/context.ts';
import { LilyError } from '../../protocol/errors.ts';
import type { Payments } from './payments.ts';

/** Checks a user's payment PIN; throws PIN_INCORRECT, PIN_LOCKED or PIN_NOT_SET (as `Identity.verifyPin`). */
export type VerifyPin = (userId: string, pin: string) => Promise<void>;

/** What the payment handlers need. */
export interface PaymentHandlerDeps {
  payments: Payments;
  verifyPin: VerifyPin;
}

/**
 * Reads the `host` member of a bridge request into a {@link HostConfirmation}, keeping only
 * well-typed known fields (anything else is dropped, never trusted). Undefined when absent.
 *
 * @example
 * ```ts
 * const ctx: CapabilityContext = { ...base, host: parseHostConfirmation(req.host) };
 * ```
 */
export function parseHostConfirmation(value: unknown): HostConfirmation | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  const text = (x: unknown, max: number) => (typeof x === 'string' && x.length > 0 && x.length <= max ? x : undefined);
  const int = (x: unknown) => (typeof x === 'number' && Number.isSafeInteger(x) && x > 0 ? x : undefined);
  const out: { -readonly [K in keyof HostConfirmation]: HostConfirmation[K] } = {};
  if (typeof v.confirmed === 'boolean') out.confirmed = v.confirmed;
  const pin = text(v.pin, 32);
  if (pin !== undefined) out.pin = pin;
  const cardId = text(v.cardId, 64);
  if (cardId !== undefined) out.cardId = cardId;
  const term = int(v.installmentTerm);
  if (term !== undefined) out.installmentTerm = term;
  const couponId = text(v.couponId, 64);
  if (couponId !== undefined) out.couponId = couponId;
  const amount = int(v.amount);
  if (amount !== undefined) out.amount = amount;
  const scannedCode = text(v.scannedCode, 512);
  if (scannedCode !== undefined) out.scannedCode = scannedCode;
  const pickedId = text(v.pickedId, 64);
  if (pickedId !== undefined) out.pickedId = pickedId;
  if (Array.isArray(v.pickedIds) && v.pickedIds.length <= 20) {
    const ids = v.pickedIds.map((x) => text(x, 64)).filter((x): x is string => x !== undefined);
    if (ids.length === v.pickedIds.length) out.pickedIds = ids;
  }
  const otp = text(v.otp, 12);
  if (otp !== undefined) out.otp = otp;
  return out;
}

/** The host's confirmation of this call; USER_CANCELLED when the user did not confirm the sheet. */
export function requireConfirmation(ctx: CapabilityContext): HostConfirmation {
  const host = ctx.host;
  if (!host || host.confirmed !== true) throw new LilyError('USER_CANCELLED', 'The user closed the confirmation sheet.');
  return host;
}

/**
 * The PIN check to run once the request has been validated: USER_CANCELLED when the sheet sent
 * no PIN, otherwise whatever `verifyPin` answers.
 */
export function pinCheck(deps: PaymentHandlerDeps, ctx: CapabilityContext, host: HostConfirmation): () => Promise<void> {
  return async () => {
    if (typeof host.pin !== 'string' || host.pin.length === 0) throw new LilyError('USER_CANCELLED', 'No PIN was entered.');
    await deps.verifyPin(ctx.userId, host.pin);
  };
}
