import { describe, expect, it } from 'vitest';
import { assertTransition, canTransition, TRANSITIONS } from './state.ts';

describe('state machines', () => {
  it('allow exactly the documented order moves', () => {
    expect(canTransition('order', 'created', 'paid')).toBe(true);
    expect(canTransition('order', 'created', 'closed')).toBe(true);
    expect(canTransition('order', 'paid', 'partially_refunded')).toBe(true);
    expect(canTransition('order', 'paid', 'refunded')).toBe(true);
    expect(canTransition('order', 'partially_refunded', 'refunded')).toBe(true);
    for (const to of ['created', 'paid', 'closed']) expect(canTransition('order', 'paid', to)).toBe(false);
    for (const to of Object.keys(TRANSITIONS.order)) {
      expect(canTransition('order', 'closed', to)).toBe(false);
      expect(canTransition('order', 'refunded', to)).toBe(false);
    }
  });

  it('answer INVALID_STATE, with the current state, for any other move', () => {
    expect(() => assertTransition('order', 'closed', 'paid')).toThrow(expect.objectContaining({ code: 'INVALID_STATE', details: { status: 'closed' } }));
    expect(() => assertTransition('hold', 'captured', 'released')).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
    expect(() => assertTransition('agreement', 'terminated', 'active')).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
    expect(() => assertTransition('hold', 'held', 'captured')).not.toThrow();
    expect(() => assertTransition('escrow', 'supervised', 'completed')).not.toThrow();
  });
});
