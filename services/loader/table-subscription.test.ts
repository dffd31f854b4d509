import { describe, expect, it } from 'vitest';
import { recoverDelayMs } from './table-subscription.ts';

describe('table subscription', () => {
  it.each([
    [1, 1_000],
    [2, 2_000],
    [5, 16_000],
    [6, 30_000],
    [40, 30_000],
  ])('re-subscribing attempt %i waits %i ms', (attempt, ms) => expect(recoverDelayMs(attempt)).toBe(ms));
});
