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

/**
 * The keys of earlier rotations, `DYNSYNC_PREVIOUS_ENCRYPTION_KEYS`: comma-separated `<key id>:<key>` (each key as
 * DYNSYNC_ENCRYPTION_KEY). They only decrypt: secrets sealed with them are read, and re-sealed with the current key
 * (`dynsync secrets reseal`). CONFIG_INVALID naming the variable (never a key) for a malformed entry, a duplicate id,
 * or the current key's id.
 */
export function parsePreviousKeys(raw: string | undefined, currentId: string): EncryptionKey[] {
  const entries = (raw ?? '').split(',').map((e) => e.trim()).filter(Boolean);
  const seen = new Set<string>();
  return entries.map((entry, i) => {
    const at = entry.indexOf(':');
    const id = at > 0 ? entry.slice(0, at) : '';
    const fail = (why: string) => new SyncError('CONFIG_INVALID', `DYNSYNC_PREVIOUS_ENCRYPTION_KEYS (item ${i + 1}): ${why}`, { details: { variables: ['DYNSYNC_PREVIOUS_ENCRYPTION_KEYS'] } });
    if (!KEY_ID.test(id)) throw fail('expected <key id>:<key>, the id 1-32 characters of [A-Za-z0-9._-]');
    if (id === currentId) throw fail(`key id "${id}" is the current key's (DYNSYNC_ENCRYPTION_KEY_ID): give the new key a new id`);
    if (seen.has(id)) throw fail(`key id "${id}" is given twice`);
    seen.add(id);
    try {
      return parseEncryptionKey(entry.slice(at + 1), id);
    } catch {
      throw fail(`the key of id "${id}" is not 32 bytes of base64 or hex`);
    }
  });
}
