/**
 * The state machines of orders, holds, escrows and agreements, as explicit transition tables.
 * Every state change goes through {@link assertTransition} before its conditional update, so a
 * move the table does not list answers INVALID_STATE and changes nothing.
 */
import { LilyError } from '../../protocol/errors.ts';

/** Order states. */
export type OrderStatus = 'created' | 'paid' | 'partially_refunded' | 'refunded' | 'closed';
/** Hold states. */
export type HoldStatus = 'created' | 'held' | 'captured' | 'released' | 'expired';
/** Escrow states. */
export type EscrowStatus = 'supervised' | 'completed' | 'refunded';
/** Agreement states. */
export type AgreementStatus = 'active' | 'terminated';

/** Allowed moves per machine: from → the states it may go to. */
export const TRANSITIONS = {
  order: {
    created: ['paid', 'closed'],
    paid: ['partially_refunded', 'refunded'],
    partially_refunded: ['partially_refunded', 'refunded'],
    refunded: [],
    closed: [],
  } satisfies Record<OrderStatus, readonly OrderStatus[]>,
  hold: {
    // A hold the user never authorized may be released by the merchant or expire.
    created: ['held', 'released', 'expired'],
    held: ['captured', 'released', 'expired'],
    captured: [],
    released: [],
    expired: [],
  } satisfies Record<HoldStatus, readonly HoldStatus[]>,
  escrow: {
    supervised: ['supervised', 'completed', 'refunded'],
    completed: [],
    refunded: [],
  } satisfies Record<EscrowStatus, readonly EscrowStatus[]>,
  agreement: {
    active: ['terminated'],
    terminated: [],
  } satisfies Record<AgreementStatus, readonly AgreementStatus[]>,
} as const;

type Machines = typeof TRANSITIONS;

/** True when the machine allows `from → to`. */
export function canTransition<M extends keyof Machines>(machine: M, from: keyof Machines[M] & string, to: string): boolean {
  const allowed = (TRANSITIONS[machine] as Record<string, readonly string[]>)[from];
  return allowed !== undefined && allowed.includes(to);
}

/**
 * Throws INVALID_STATE unless the machine allows `from → to`.
 *
 * @example
 * ```ts
 * assertTransition('order', order.status, 'paid'); // throws on a closed or paid order
 * ```
 */
export function assertTransition<M extends keyof Machines>(machine: M, from: keyof Machines[M] & string, to: string, message?: string): void {
  if (!canTransition(machine, from, to)) {
    throw new LilyError('INVALID_STATE', message ?? `The ${machine} is ${from.replace('_', ' ')}; it cannot become ${to.replace('_', ' ')}.`, {
      status: from,
    });
  }
}
