import { describe, expect, it } from '@jest/globals';
import { secretText } from '#lib/adapters/secrets.js';

describe('secretText', () => {
  it.each([
    ['  plain-key \n', undefined, 'plain-key'],
    ['{"apiKey":" k1 "}', 'apiKey', 'k1'],
    ['{"apiKey":""}', 'apiKey', ''],
    ['{"url":"https://hooks.example/x"}', 'url', 'https://hooks.example/x'],
    ['{not json', 'url', ''],
    ['{"other":1}', 'apiKey', ''],
    [undefined, 'apiKey', ''],
  ])('%p (field %p) → %p', (value, field, expected) => {
    expect(secretText(value, field)).toBe(expected);
  });
});
