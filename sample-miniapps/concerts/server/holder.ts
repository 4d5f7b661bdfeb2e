/**
 * Ticket holders: checking what the fan typed before the bank is asked, and the masked forms this
 * back end keeps. The id number itself is passed to the bank's yes/no check and never stored.
 */

/** Why a holder's name or id number was refused, and which field. */
export class HolderInputError extends Error {
  constructor(
    readonly field: 'name' | 'idNumber',
    message: string,
  ) {
    super(message);
    this.name = 'HolderInputError';
  }
}

/** A checked holder: the name trimmed, the id number upper-cased. */
export interface HolderInput {
  name: string;
  idNumber: string;
}

/**
 * Checks a holder's name (1 to 40 characters, no digits) and 18-character resident id number
 * (17 digits and a digit or X, with a real birth date in it).
 *
 * @example
 * ```ts
 * parseHolder({ name: ' 李小花 ', idNumber: '31010119900307002x' }); // { name: '李小花', idNumber: '31010119900307002X' }
 * ```
 */
export function parseHolder(raw: { name?: unknown; idNumber?: unknown }): HolderInput {
  const name = typeof raw.name === 'string' ? raw.name.trim().replace(/\s+/g, ' ') : '';
  if (name.length === 0 || name.length > 40 || /[0-9<>]/.test(name)) throw new HolderInputError('name', 'Enter the ticket holder’s name as on the ID card.');
  const idNumber = typeof raw.idNumber === 'string' ? raw.idNumber.trim().toUpperCase() : '';
  if (!/^[0-9]{17}[0-9X]$/.test(idNumber)) throw new HolderInputError('idNumber', 'The ID number has 18 characters: 17 digits and a last digit or X.');
  const y = Number(idNumber.slice(6, 10));
  const m = Number(idNumber.slice(10, 12));
  const d = Number(idNumber.slice(12, 14));
  const born = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || born.getUTCFullYear() !== y || born.getUTCMonth() !== m - 1 || born.getUTCDate() !== d || born.getTime() > Date.now()) {
    throw new HolderInputError('idNumber', 'The ID number does not contain a valid birth date.');
  }
  return { name, idNumber };
}

/**
 * A name with every character but the first and the last masked (two-character names keep the
 * first).
 *
 * @example
 * ```ts
 * maskName('李小花'); // '李*花'
 * maskName('王明'); // '王*'
 * ```
 */
export function maskName(name: string): string {
  const chars = [...name];
  if (chars.length <= 1) return '*';
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars.at(-1)}`;
}

/**
 * An id number with only its first 3 and last 4 characters left.
 *
 * @example
 * ```ts
 * maskIdNumber('31010119900307002X'); // '310***********002X'
 * ```
 */
export function maskIdNumber(idNumber: string): string {
  return `${idNumber.slice(0, 3)}${'*'.repeat(Math.max(0, idNumber.length - 7))}${idNumber.slice(-4)}`;
}
