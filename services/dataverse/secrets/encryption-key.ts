/**
 * The key that encrypts secrets at rest (Invariant 7): 32 bytes given as base64 or hex in configuration, with a
 * key id stored next to every ciphertext so a later key rotation can tell which key sealed what.
 */
import { SyncError } from '../../shared/errors.ts';

/** A parsed AES-256 key. */
export interface EncryptionKey {
  /** Short non-secret label stored with each ciphertext (e.g. `1`, `2025-01`). */
  id: string;
  /** 32 bytes. Never logged. */
  key: Buffer;
}

/** The advice every key error ends with. */
export const KEY_ADVICE = 'set DYNSYNC_ENCRYPTION_KEY to 32 random bytes, e.g. `openssl rand -base64 32`';

const KEY_ID = /^[A-Za-z0-9._-]{1,32}$/;

/**
 * Parses a key: 64 hex digits or base64 of exactly 32 bytes. Missing/empty → ENCRYPTION_KEY_MISSING; wrong length or
 * alphabet → ENCRYPTION_KEY_MISSING too (the product cannot operate without a usable key), never echoing the value.
 */
export function parseEncryptionKey(raw: string | undefined, id = '1'): EncryptionKey {
  if (raw === undefined || raw.trim() === '') {
    throw new SyncError('ENCRYPTION_KEY_MISSING', `no encryption key configured: ${KEY_ADVICE}`);
  }
  if (!KEY_ID.test(id)) throw new SyncError('CONFIG_INVALID', 'the encryption key id must be 1-32 characters of [A-Za-z0-9._-]');
  const text = raw.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(text)) key = Buffer.from(text, 'hex');
  else if (/^[A-Za-z0-9+/]{43}=?$|^[A-Za-z0-9_-]{43}$/.test(text)) key = Buffer.from(text, text.includes('-') || text.includes('_') ? 'base64url' : 'base64');
  if (key?.length !== 32) {
    throw new SyncError('ENCRYPTION_KEY_MISSING', `the configured encryption key is not 32 bytes of base64 or hex: ${KEY_ADVICE}`);
  }
  return { id, key };
}
