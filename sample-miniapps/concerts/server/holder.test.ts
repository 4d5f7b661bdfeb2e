import { describe, expect, it } from 'vitest';
import { HolderInputError, maskIdNumber, maskName, parseHolder } from './holder.ts';

describe('ticket holders', () => {
  it('accepts a name and an 18-character id number, normalized', () => {
    expect(parseHolder({ name: '  李  小花 ', idNumber: ' 31010119900307002x ' })).toEqual({ name: '李 小花', idNumber: '31010119900307002X' });
  });

  it('refuses bad details, naming the field', () => {
    const field = (raw: { name?: unknown; idNumber?: unknown }) => {
      try {
        parseHolder(raw);
      } catch (err) {
        return err instanceof HolderInputError ? `${err.field}: ${err.message}` : 'other';
      }
      return null;
    };
    expect(field({ name: '', idNumber: '31010119900307002X' })).toMatch(/^name: /);
    expect(field({ name: 'Li 2', idNumber: '31010119900307002X' })).toMatch(/^name: /);
    expect(field({ name: '李小花', idNumber: 31010119900307002 })).toMatch(/^idNumber: The ID number has 18 characters/);
    expect(field({ name: '李小花', idNumber: '3101011990030700XX' })).toMatch(/^idNumber: The ID number has 18 characters/);
    expect(field({ name: '李小花', idNumber: '310101199002300021' })).toBe('idNumber: The ID number does not contain a valid birth date.');
    expect(field({ name: '李小花', idNumber: '310101289001010021' })).toBe('idNumber: The ID number does not contain a valid birth date.');
  });

  it('keeps only masked forms', () => {
    expect([maskName('李小花'), maskName('王明'), maskName('欧阳娜娜'), maskName('李')]).toEqual(['李*花', '王*', '欧**娜', '*']);
    expect(maskIdNumber('31010119900307002X')).toBe('310***********002X');
  });
});
