/**
 * E-tickets of the movies sample: a ticket code per paid booking and the text of its QR code,
 * `LILYMOVIE:<code>:<showtimeId>:<seats>:<mac>`, where the MAC (HMAC-SHA-256 under the cinema's
 * secret, cut to 16 hex digits) binds code, screening and seats, so the gate can tell a real
 * ticket from a made-up one before it looks the ticket up.
 */
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';

const PREFIX = 'LILYMOVIE';

/** A new ticket code: `MV` and 10 digits. */
export function newTicketCode(): string {
  let digits = '';
  for (let i = 0; i < 10; i++) digits += String(randomInt(10));
  return `MV${digits}`;
}

function mac(secret: Buffer, body: string): string {
  return createHmac('sha256', secret).update(body).digest('hex').slice(0, 16);
}

/**
 * The QR text of a ticket.
 *
 * @example
 * ```ts
 * ticketQr(secret, { code: 'MV0123456789', showtimeId: 'st-earth-20250501-1930', seats: ['C5', 'C6'] });
 * // 'LILYMOVIE:MV0123456789:st-earth-20250501-1930:C5.C6:3f09a1c2b4d5e6f7'
 * ```
 */
export function ticketQr(secret: Buffer, ticket: { code: string; showtimeId: string; seats: readonly string[] }): string {
  const body = `${PREFIX}:${ticket.code}:${ticket.showtimeId}:${ticket.seats.join('.')}`;
  return `${body}:${mac(secret, body)}`;
}

/** Reads a QR text back: the ticket it names, or null when it is malformed or its MAC is wrong. */
export function readTicketQr(secret: Buffer, qr: string): { code: string; showtimeId: string; seats: string[] } | null {
  const m = /^(LILYMOVIE:(MV\d{10}):(st-[a-z0-9-]{1,64}):([A-Z][0-9]{1,2}(?:\.[A-Z][0-9]{1,2}){0,3})):([0-9a-f]{16})$/.exec(qr);
  if (!m) return null;
  const expected = Buffer.from(mac(secret, m[1]!));
  if (!timingSafeEqual(expected, Buffer.from(m[5]!))) return null;
  return { code: m[2]!, showtimeId: m[3]!, seats: m[4]!.split('.') };
}
