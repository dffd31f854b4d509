import { describe, expect, it } from 'vitest';
import { isSyncError } from '../../shared/errors.ts';
import { SecretCipher } from './secret-cipher.ts';

const key = (fill: number, id = '1') => ({ id, key: Buffer.alloc(32, fill) });
const CONTEXT = 'acme/token-cache';

describe('SecretCipher', () => {
  it.each(['', 'x', 'refresh-token-secret-✓', 'a'.repeat(100_000)])('round-trips %#', (plaintext) => {
    const c = new SecretCipher(key(1));
    const sealed = c.seal(plaintext, CONTEXT);
    expect(c.open(sealed, CONTEXT)).toBe(plaintext);
  });

  it('never stores the plaintext and uses a fresh IV each time', () => {
    const c = new SecretCipher(key(1, 'k1'));
    const a = c.seal('super-secret-value', CONTEXT);
    const b = c.seal('super-secret-value', CONTEXT);
    expect(JSON.stringify(a)).not.toContain('super-secret-value');
    expect(Buffer.from(a.ciphertext, 'base64').toString('utf8')).not.toContain('super-secret');
    expect(a.iv).not.toBe(b.iv);
    expect(a.keyId).toBe('k1');
  });

  const flip = (b64: string) => {
    const buf = Buffer.from(b64, 'base64');
    buf[0] = buf[0]! ^ 1;
    return buf.toString('base64');
  };

  it.each<[string, (s: ReturnType<SecretCipher['seal']>) => ReturnType<SecretCipher['seal']>, string]>([
    ['altered ciphertext', (s) => ({ ...s, ciphertext: flip(s.ciphertext) }), CONTEXT],
    ['altered tag', (s) => ({ ...s, tag: flip(s.tag) }), CONTEXT],
    ['altered iv', (s) => ({ ...s, iv: flip(s.iv) }), CONTEXT],
    ['moved to another connection', (s) => s, 'other/token-cache'],
  ])('detects %s', (_name, tamper, context) => {
    const c = new SecretCipher(key(1));
    const sealed = tamper(c.seal('value', CONTEXT));
    expect(() => c.open(sealed, context)).toThrow(/does not match|altered/);
  });

  it.each<[string, (s: ReturnType<SecretCipher['seal']>) => ReturnType<SecretCipher['seal']>, RegExp]>([
    // GCM verifies a shortened tag against the same prefix of the real one: 4 bytes would take 2^32 tries to forge
    ['a tag cut to its first 4 bytes', (s) => ({ ...s, tag: Buffer.from(s.tag, 'base64').subarray(0, 4).toString('base64') }), /tag 4 \(expected 12 and 16\)/],
    ['a tag cut to 12 bytes', (s) => ({ ...s, tag: Buffer.from(s.tag, 'base64').subarray(0, 12).toString('base64') }), /tag 12 \(expected 12 and 16\)/],
    ['a 16-byte IV', (s) => ({ ...s, iv: Buffer.concat([Buffer.from(s.iv, 'base64'), Buffer.alloc(4)]).toString('base64') }), /IV is 16 bytes/],
    ['an empty IV', (s) => ({ ...s, iv: '' }), /IV is 0 bytes/],
  ])('refuses %s (the tag must be 16 bytes and the IV 12)', (_name, tamper, reason) => {
    const c = new SecretCipher(key(1));
    const sealed = tamper(c.seal('value', CONTEXT));
    let thrown: unknown;
    try {
      c.open(sealed, CONTEXT);
    } catch (err) {
      thrown = err;
    }
    expect(isSyncError(thrown, 'CONFIG_INVALID')).toBe(true);
    expect((thrown as Error).message).toMatch(reason);
  });

  it('says the key does not match when opened with another key of the same id', () => {
    const sealed = new SecretCipher(key(1)).seal('value', CONTEXT);
    let thrown: unknown;
    try {
      new SecretCipher(key(2)).open(sealed, CONTEXT);
    } catch (err) {
      thrown = err;
    }
    expect(isSyncError(thrown, 'CONFIG_INVALID')).toBe(true);
    expect((thrown as Error).message).toMatch(/encryption key .* does not match/);
  });

  it('names an unknown key id, and reads old secrets with a previous key after rotation', () => {
    const old = new SecretCipher(key(1, 'k1'));
    const sealed = old.seal('value', CONTEXT);
    expect(() => new SecretCipher(key(2, 'k2')).open(sealed, CONTEXT)).toThrow(/key id "k1", which is not configured/);
    const rotated = new SecretCipher(key(2, 'k2'), [key(1, 'k1')]);
    expect(rotated.open(sealed, CONTEXT)).toBe('value');
    expect(rotated.seal('v', CONTEXT).keyId).toBe('k2');
  });
});
