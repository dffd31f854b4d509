import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { contentHash } from './record-decoder.ts';

describe('contentHash', () => {
  it('is the first 128 bits of SHA-256, base64url: the hash stored documents carry (a change would rewrite them all)', () => {
    expect(contentHash(Buffer.from([0, 0, 0, 0, 42, 2, 120]))).toBe('GgiZKeJUFgnlEIv-X_TMZg');
    for (const value of [Buffer.alloc(0), Buffer.alloc(1200, 7), Buffer.from('x'.repeat(70_000))]) {
      expect(contentHash(value)).toBe(createHash('sha256').update(value).digest().subarray(0, 16).toString('base64url'));
    }
  });
});
