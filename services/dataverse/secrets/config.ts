/**
 * Configuration of secrets at rest. Services spread {@link SECRETS_ENV} into their own schema; the key itself is
 * checked when a cipher is built, so a command that touches no secret still starts, and every command that does
 * refuses to run without a key.
 */
import { z } from 'zod';
import { parseEncryptionKey, parsePreviousKeys } from './encryption-key.ts';
import { SecretCipher } from './secret-cipher.ts';
import { SECRETS_COLLECTION } from './mongo-secret-store.ts';

/** Environment variables of the secrets module. */
export const SECRETS_ENV = {
  /** 32 random bytes, base64 or hex (`openssl rand -base64 32`). Required by anything that reads or writes secrets. */
  DYNSYNC_ENCRYPTION_KEY: z.string().optional(),
  /** Label stored with every ciphertext; change it together with the key when rotating. */
  DYNSYNC_ENCRYPTION_KEY_ID: z.string().regex(/^[A-Za-z0-9._-]{1,32}$/).default('1'),
  /**
   * Keys of earlier rotations, read-only: `<key id>:<key>,…`. Secrets sealed with them are decrypted and re-sealed
   * with the current key (on read, and all at once by `dynsync secrets reseal`); drop them once that reports none left.
   */
  DYNSYNC_PREVIOUS_ENCRYPTION_KEYS: z.string().optional(),
  /** MongoDB database holding the secrets collection. */
  DYNSYNC_SECRETS_DB: z.string().min(1).default('dynsync'),
  /** Collection of sealed secrets. */
  DYNSYNC_SECRETS_COLLECTION: z.string().min(1).default(SECRETS_COLLECTION),
} as const;

/** The typed secrets configuration (services spread {@link SECRETS_ENV} into their own schema). */
export type SecretsConfig = Readonly<z.infer<z.ZodObject<typeof SECRETS_ENV>>>;

/**
 * The cipher for `config`: the current key and the previous ones. ENCRYPTION_KEY_MISSING ("set DYNSYNC_ENCRYPTION_KEY
 * …") when no usable key is set, CONFIG_INVALID for a malformed DYNSYNC_PREVIOUS_ENCRYPTION_KEYS.
 */
export function cipherFromConfig(config: Pick<SecretsConfig, 'DYNSYNC_ENCRYPTION_KEY' | 'DYNSYNC_ENCRYPTION_KEY_ID'> & Partial<Pick<SecretsConfig, 'DYNSYNC_PREVIOUS_ENCRYPTION_KEYS'>>): SecretCipher {
  const current = parseEncryptionKey(config.DYNSYNC_ENCRYPTION_KEY, config.DYNSYNC_ENCRYPTION_KEY_ID);
  return new SecretCipher(current, parsePreviousKeys(config.DYNSYNC_PREVIOUS_ENCRYPTION_KEYS, current.id));
}
