/**
 * AES-256-GCM sealing of secrets (token caches, client secrets) before they are stored (Invariant 7). A fresh
 * random 96-bit IV per seal; the 128-bit tag authenticates the ciphertext AND a caller-given context (the secret's
 * id and what it is bound to, encrypted-secrets.ts), so a ciphertext copied under another id or connection does not
 * decrypt. On opening, the IV must be 12 bytes and the tag 16: a shortened tag (GCM accepts 4 to 16 bytes unless
 * told otherwise) would make forging a ciphertext far cheaper.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SyncError } from '../../shared/errors.ts';
import type { EncryptionKey } from './encryption-key.ts';

/** A sealed secret; every field is safe to store and log (base64 strings and a key id). */
export interface SealedSecret {
  ciphertext: string;
  iv: string;
  tag: string;
  keyId: string;
}

/** The IV and tag lengths every sealed secret has (bytes). */
export const IV_BYTES = 12;
export const TAG_BYTES = 16;

/** Encrypts and decrypts with the current key; older keys (by id) may be given to read data sealed before a rotation. */
export class SecretCipher {
  private readonly current: EncryptionKey;
  private readonly byId: Map<string, Buffer>;

  constructor(current: EncryptionKey, previous: readonly EncryptionKey[] = []) {
    this.current = current;
    this.byId = new Map([...previous, current].map((k) => [k.id, k.key]));
  }

  /** True when `sealed` was sealed with another key than the current one (a rotation left it behind). */
  isStale(sealed: Pick<SealedSecret, 'keyId'>): boolean {
    return sealed.keyId !== this.current.id;
  }

  /** The id of the key new secrets are sealed with. */
  get keyId(): string {
    return this.current.id;
  }

  /** Seals `plaintext`, binding it to `context` (e.g. `<connectionId>/token-cache`). */
  seal(plaintext: string, context: string): SealedSecret {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return { ciphertext: ciphertext.toString('base64'), iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), keyId: this.current.id };
  }

  /**
   * Opens a sealed secret. An unknown key id, or a GCM authentication failure (wrong key, altered data, or a
   * ciphertext moved to another context) is ENCRYPTION_KEY_MISSING / CONFIG_INVALID with a message saying the key
   * does not match; the plaintext is never partially returned.
   */
  open(sealed: SealedSecret, context: string): string {
    const key = this.byId.get(sealed.keyId);
    if (key === undefined) {
      throw new SyncError(
        'ENCRYPTION_KEY_MISSING',
        `secret ${context} was encrypted with key id "${sealed.keyId}", which is not configured (current key id "${this.current.id}"): ` +
          'add it to DYNSYNC_PREVIOUS_ENCRYPTION_KEYS as <id>:<key> (then `dynsync secrets reseal`), or re-connect to store it under the current key',
        { details: { context, keyId: sealed.keyId } },
      );
    }
    const iv = Buffer.from(sealed.iv, 'base64');
    const tag = Buffer.from(sealed.tag, 'base64');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
      throw new SyncError(
        'CONFIG_INVALID',
        `cannot decrypt secret ${context}: its IV is ${iv.length} bytes and its tag ${tag.length} (expected ${IV_BYTES} and ${TAG_BYTES}): the stored data was altered; ` +
          'run `dynsync connect` again to store it anew',
        { details: { context, keyId: sealed.keyId } },
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]).toString('utf8');
    } catch (err) {
      throw new SyncError(
        'CONFIG_INVALID',
        `cannot decrypt secret ${context}: the encryption key (id "${sealed.keyId}") does not match the one it was encrypted with, ` +
          'or the stored data was altered (GCM authentication failed): restore the DYNSYNC_ENCRYPTION_KEY it was sealed with, ' +
          'or run `dynsync connect` again to store it under the current key',
        { cause: err, details: { context, keyId: sealed.keyId } },
      );
    }
  }
}
