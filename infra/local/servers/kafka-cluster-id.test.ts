import { describe, expect, it } from 'vitest';
import { kafkaClusterId } from './kafka.ts';

describe('kafkaClusterId', () => {
  it.each([
    ['a random id that starts with "-" is drawn again', ['-_Em4srhdlwJAWnEadwIQw', 'AAAAAAAAAAAAAAAAAAAAAA'], 'AAAAAAAAAAAAAAAAAAAAAA'],
    ['a plain id is kept', ['q0w1e2r3t4y5u6i7o8p9aA'], 'q0w1e2r3t4y5u6i7o8p9aA'],
    ['an id with "-" inside is fine', ['ab-cd_efghijklmnopqrsg'], 'ab-cd_efghijklmnopqrsg'],
  ])('%s', (_case, draws, expected) => {
    const queue = [...draws];
    const random = (n: number) => {
      expect(n).toBe(16);
      return Buffer.from(queue.shift()!, 'base64url');
    };
    expect(kafkaClusterId(random)).toBe(expected);
    expect(queue).toEqual([]);
  });

  it('draws 16 bytes of base64url by default', () => {
    expect(kafkaClusterId()).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  });
});
