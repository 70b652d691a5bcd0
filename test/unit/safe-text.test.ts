/** Text from outside made safe where it enters: one line, single spaces, nothing that links. */
import { describe, expect, it } from '@jest/globals';
import { safeText } from '#lib/domain/safe-text.js';

describe('safeText', () => {
  it('folds runs of whitespace and line breaks into one space and trims the ends', () => {
    expect(safeText('  Ada \t\n\n  Lovelace  ', 100)).toBe('Ada Lovelace');
    expect(safeText('Ada  Lovelace', 100)).toBe('Ada Lovelace');
  });

  it('drops controls and direction overrides, folds compatibility forms, defangs links', () => {
    expect(safeText('Eve\u202e\u0007 ｈｔｔｐｓ：／／evil.example', 100)).toBe('Eve https[:]//evil[.]example');
  });

  it('answers the same for the same text, remembered or not', () => {
    const first = safeText('mail me: a@evil.example', 100);
    expect(safeText('mail me: a@evil.example', 100)).toBe(first);
    expect(first).toBe('mail me: a@evil[.]example');
  });

  it('bounds the length', () => {
    expect(safeText(`x.${'y '.repeat(300)}`, 20)).toHaveLength(20);
  });
});
