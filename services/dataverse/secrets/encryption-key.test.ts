import { describe, expect, it } from 'vitest';
import { isSyncError } from '../../shared/errors.ts';
import { parseEncryptionKey, parsePreviousKeys } from './encryption-key.ts';

const BYTES = Buffer.from(Array.from({ length: 32 }, (_, i) => i * 7 + 1));

describe('parseEncryptionKey', () => {
  it.each<[string, string]>([
    ['base64', BYTES.toString('base64')],
    ['base64 with surrounding spaces', `  ${BYTES.toString('base64')}\n`],
    ['base64url', BYTES.toString('base64url')],
    ['hex lower', BYTES.toString('hex')],
    ['hex upper', BYTES.toString('hex').toUpperCase()],
  ])('accepts %s', (_name, raw) => {
    const k = parseEncryptionKey(raw, 'k7');
    expect(k.key.equals(BYTES)).toBe(true);
    expect(k.id).toBe('k7');
  });

  it.each<[string, string | undefined]>([
    ['missing', undefined],
    ['empty', ''],
    ['blank', '   '],
    ['16 bytes', Buffer.alloc(16, 1).toString('base64')],
    ['33 bytes', Buffer.alloc(33, 1).toString('base64')],
    ['63 hex digits', 'a'.repeat(63)],
    ['a passphrase', 'correct horse battery staple'],
  ])('refuses %s with ENCRYPTION_KEY_MISSING and the openssl hint, never echoing it', (_name, raw) => {
    let thrown: unknown;
    try {
      parseEncryptionKey(raw);
    } catch (err) {
      thrown = err;
    }
    expect(isSyncError(thrown, 'ENCRYPTION_KEY_MISSING')).toBe(true);
    const msg = (thrown as Error).message;
    expect(msg).toContain('DYNSYNC_ENCRYPTION_KEY');
    expect(msg).toContain('openssl rand -base64 32');
    if (raw?.trim()) expect(msg).not.toContain(raw.trim());
  });
});

describe('parsePreviousKeys', () => {
  const k = (fill: number) => Buffer.alloc(32, fill).toString('base64');
  it('reads <id>:<key> pairs, base64 or hex, with spaces and empty items ignored', () => {
    const keys = parsePreviousKeys(` k1:${k(1)}, ,k0:${Buffer.alloc(32, 0).toString('hex')} `, 'k2');
    expect(keys.map((x) => x.id)).toEqual(['k1', 'k0']);
    expect(keys[0]!.key.equals(Buffer.alloc(32, 1))).toBe(true);
    expect(parsePreviousKeys(undefined, '1')).toEqual([]);
  });

  it.each<[string, string, RegExp]>([
    ['no id', k(1), /item 1\): expected <key id>:<key>/],
    ['bad id', `bad id:${k(1)}`, /item 1\): expected <key id>:<key>/],
    ["the current key's id", `k2:${k(1)}`, /key id "k2" is the current key's/],
    ['a duplicate id', `k1:${k(1)},k1:${k(3)}`, /item 2\): key id "k1" is given twice/],
    ['a short key', `k1:${Buffer.alloc(16, 1).toString('base64')}`, /item 1\): the key of id "k1" is not 32 bytes/],
  ])('refuses %s with CONFIG_INVALID naming DYNSYNC_PREVIOUS_ENCRYPTION_KEYS, never the key', (_name, raw, reason) => {
    let thrown: unknown;
    try {
      parsePreviousKeys(raw, 'k2');
    } catch (err) {
      thrown = err;
    }
    expect(isSyncError(thrown, 'CONFIG_INVALID')).toBe(true);
    expect((thrown as Error).message).toMatch(/^DYNSYNC_PREVIOUS_ENCRYPTION_KEYS \(item \d\): /);
    expect((thrown as Error).message).toMatch(reason);
    for (const part of raw.split(/[,:]/)) if (part.length > 20) expect((thrown as Error).message).not.toContain(part);
  });
});
