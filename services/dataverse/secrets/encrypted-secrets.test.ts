import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.ts';
import { cipherFromConfig } from './config.ts';
import { EncryptedSecrets, SECRET_NAMES } from './encrypted-secrets.ts';
import { SecretCipher } from './secret-cipher.ts';
import { MemorySecretStore } from './secret-store.ts';

const cipher = new SecretCipher({ id: '1', key: Buffer.alloc(32, 9) });

describe('EncryptedSecrets', () => {
  it('stores only ciphertext, under <connection>/<name>, and reads it back', async () => {
    const store = new MemorySecretStore();
    const secrets = new EncryptedSecrets(cipher, store, new ManualClock(Date.parse('2025-01-01T00:00:00Z')));
    await secrets.put('acme', SECRET_NAMES.clientSecret, 'my-client-secret');
    const doc = store.docs.get('acme/client-secret')!;
    expect(Object.keys(doc).sort()).toEqual(['_id', 'ciphertext', 'connectionId', 'iv', 'keyId', 'name', 'tag', 'updatedAt']);
    expect(JSON.stringify(doc)).not.toContain('my-client-secret');
    expect(doc.updatedAt.toISOString()).toBe('2025-01-01T00:00:00.000Z');
    expect(await secrets.get('acme', SECRET_NAMES.clientSecret)).toBe('my-client-secret');
    expect(await secrets.get('acme', SECRET_NAMES.tokenCache)).toBeUndefined();
    await secrets.delete('acme', SECRET_NAMES.clientSecret);
    expect(await secrets.get('acme', SECRET_NAMES.clientSecret)).toBeUndefined();
  });

  it('refuses a document copied to another connection', async () => {
    const store = new MemorySecretStore();
    const secrets = new EncryptedSecrets(cipher, store);
    await secrets.put('acme', 'x', 'v');
    await store.put({ ...store.docs.get('acme/x')!, _id: 'evil/x', connectionId: 'evil' });
    await expect(secrets.get('evil', 'x')).rejects.toThrow(/does not match|altered/);
  });
});

describe('cipherFromConfig', () => {
  it('refuses to operate without a key', () => {
    expect(() => cipherFromConfig({ DYNSYNC_ENCRYPTION_KEY: undefined, DYNSYNC_ENCRYPTION_KEY_ID: '1' })).toThrow(/set DYNSYNC_ENCRYPTION_KEY/);
  });
  it('builds a cipher with the configured key id', () => {
    const c = cipherFromConfig({ DYNSYNC_ENCRYPTION_KEY: Buffer.alloc(32, 3).toString('base64'), DYNSYNC_ENCRYPTION_KEY_ID: 'k9' });
    expect(c.keyId).toBe('k9');
  });
});
