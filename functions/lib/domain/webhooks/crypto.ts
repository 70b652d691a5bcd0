/** HMAC and constant-time comparison: the only crypto the verifiers use. */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const hmacSha256 = (key: Buffer | string, content: Buffer | string): Buffer =>
  createHmac('sha256', key).update(content).digest();

/**
 * Constant-time equality of two strings of any length: both sides are hashed first, so neither
 * the content nor the length of the expected value leaks through timing.
 */
export const safeEqual = (a: string, b: string): boolean =>
  timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());

/** Whether any offered value equals any expected one; every pair is compared, matched or not. */
export const anySafeEqual = (offered: readonly string[], expected: readonly string[]): boolean => {
  let match = false;
  for (const candidate of offered) for (const want of expected) match = safeEqual(candidate, want) || match;
  return match;
};
