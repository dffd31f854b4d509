import { describe, expect, it } from 'vitest';
import { isSyncError } from '../../shared/errors.ts';
import { parseEncryptionKey } from './encryption-key.ts';

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
