import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.ts';
import { cipherFromConfig } from './config.ts';
import { AAD_VERSION, EncryptedSecrets, SECRET_NAMES, bindingOf, secretId, type SecretBinding } from './encrypted-secrets.ts';
import { SecretCipher } from './secret-cipher.ts';
import { MemorySecretStore, type StoredSecret } from './secret-store.ts';

const cipher = new SecretCipher({ id: '1', key: Buffer.alloc(32, 9) });
const ACME: SecretBinding = bindingOf({ id: 'acme', orgUrl: 'https://acme.crm4.dynamics.com', tenantId: 'Contoso.onmicrosoft.com', clientId: '11111111-2222-3333-4444-555555555555' });

/** A document as stored before the binding: sealed with `<connection>/<name>` alone, no `aad`. */
function legacyDoc(c: SecretCipher, connectionId: string, name: string, plaintext: string): StoredSecret {
  const id = secretId(connectionId, name);
  return { _id: id, connectionId, name, ...c.seal(plaintext, id), updatedAt: new Date(0) };
}

describe('EncryptedSecrets', () => {
  it('stores only ciphertext, under <connection>/<name>, bound to the organisation, tenant and app, and reads it back', async () => {
    const store = new MemorySecretStore();
    const secrets = new EncryptedSecrets(cipher, store, new ManualClock(Date.parse('2025-01-01T00:00:00Z')));
    await secrets.put(ACME, SECRET_NAMES.clientSecret, 'my-client-secret');
    const doc = store.docs.get('acme/client-secret')!;
    expect(Object.keys(doc).sort()).toEqual(['_id', 'aad', 'ciphertext', 'connectionId', 'iv', 'keyId', 'name', 'tag', 'updatedAt']);
    expect(doc.aad).toBe(AAD_VERSION);
    expect(JSON.stringify(doc)).not.toContain('my-client-secret');
    expect(doc.updatedAt.toISOString()).toBe('2025-01-01T00:00:00.000Z');
    expect(await secrets.get(ACME, SECRET_NAMES.clientSecret)).toBe('my-client-secret');
    expect(await secrets.get({ ...ACME, tenantId: 'CONTOSO.onmicrosoft.com'.toLowerCase() }, SECRET_NAMES.clientSecret)).toBe('my-client-secret');
    expect(await secrets.get(ACME, SECRET_NAMES.tokenCache)).toBeUndefined();
    await secrets.delete('acme', SECRET_NAMES.clientSecret);
    expect(await secrets.get(ACME, SECRET_NAMES.clientSecret)).toBeUndefined();
  });

  it.each<[string, SecretBinding]>([
    ['another organisation (a connection re-pointed at https://evil.crm.dynamics.com)', { ...ACME, orgUrl: 'https://evil.crm.dynamics.com' }],
    ['another tenant', { ...ACME, tenantId: 'fabrikam.onmicrosoft.com' }],
    ['another app', { ...ACME, clientId: '99999999-2222-3333-4444-555555555555' }],
  ])('does not decrypt for %s', async (_name, other) => {
    const store = new MemorySecretStore();
    const secrets = new EncryptedSecrets(cipher, store);
    await secrets.put(ACME, SECRET_NAMES.clientSecret, 'v');
    await expect(secrets.get(other, SECRET_NAMES.clientSecret)).rejects.toThrow(/does not match|altered/);
  });

  it('refuses a document copied to another connection', async () => {
    const store = new MemorySecretStore();
    const secrets = new EncryptedSecrets(cipher, store);
    await secrets.put(ACME, 'x', 'v');
    await store.put({ ...store.docs.get('acme/x')!, _id: 'evil/x', connectionId: 'evil' });
    await expect(secrets.get({ ...ACME, connectionId: 'evil' }, 'x')).rejects.toThrow(/does not match|altered/);
  });

  it('reads a secret stored before the binding and re-seals it bound at once; then only its own connection opens it', async () => {
    const store = new MemorySecretStore();
    await store.put(legacyDoc(cipher, 'acme', SECRET_NAMES.clientSecret, 'old-secret'));
    const secrets = new EncryptedSecrets(cipher, store);
    expect(await secrets.get(ACME, SECRET_NAMES.clientSecret)).toBe('old-secret');
    expect(store.docs.get('acme/client-secret')!.aad).toBe(AAD_VERSION);
    expect(await secrets.get(ACME, SECRET_NAMES.clientSecret)).toBe('old-secret');
    await expect(secrets.get({ ...ACME, orgUrl: 'https://evil.crm.dynamics.com' }, SECRET_NAMES.clientSecret)).rejects.toThrow(/does not match/);
  });

  it('never opens a bound document the old way: removing its marker does not downgrade it', async () => {
    const store = new MemorySecretStore();
    const secrets = new EncryptedSecrets(cipher, store);
    await secrets.put(ACME, SECRET_NAMES.clientSecret, 'v');
    const { aad: _aad, ...stripped } = store.docs.get('acme/client-secret')!;
    await store.put(stripped);
    await expect(secrets.get({ ...ACME, orgUrl: 'https://evil.crm.dynamics.com' }, SECRET_NAMES.clientSecret)).rejects.toThrow(/does not match/);
  });

  it('after a rotation reads with the previous key and re-seals with the current one', async () => {
    const store = new MemorySecretStore();
    const k1 = { id: 'k1', key: Buffer.alloc(32, 1) };
    const k2 = { id: 'k2', key: Buffer.alloc(32, 2) };
    await new EncryptedSecrets(new SecretCipher(k1), store).put(ACME, SECRET_NAMES.tokenCache, 'cache');
    const rotated = new EncryptedSecrets(new SecretCipher(k2, [k1]), store);
    expect(await rotated.reseal(ACME, SECRET_NAMES.tokenCache, { dryRun: true })).toBe('resealed');
    expect(store.docs.get('acme/token-cache')!.keyId).toBe('k1'); // a dry run writes nothing
    expect(await rotated.get(ACME, SECRET_NAMES.tokenCache)).toBe('cache');
    expect(store.docs.get('acme/token-cache')!.keyId).toBe('k2');
    expect(await rotated.reseal(ACME, SECRET_NAMES.tokenCache)).toBe('current');
    expect(await new EncryptedSecrets(new SecretCipher(k2), store).get(ACME, SECRET_NAMES.tokenCache)).toBe('cache'); // the old key can go
  });

  it('re-seals idempotently, and never over a value written meanwhile (compare-and-set)', async () => {
    const store = new MemorySecretStore();
    await store.put(legacyDoc(cipher, 'acme', SECRET_NAMES.tokenCache, 'old-cache'));
    const secrets = new EncryptedSecrets(cipher, store);
    // another process writes a newer token cache between this re-seal's read and its write
    const racing = Object.create(store) as MemorySecretStore;
    racing.replaceIfUnchanged = async (doc, expected) => {
      await secrets.put(ACME, SECRET_NAMES.tokenCache, 'new-cache');
      return store.replaceIfUnchanged(doc, expected);
    };
    expect(await new EncryptedSecrets(cipher, racing).reseal(ACME, SECRET_NAMES.tokenCache)).toBe('changed');
    expect(await secrets.get(ACME, SECRET_NAMES.tokenCache)).toBe('new-cache');
    expect(await secrets.reseal(ACME, SECRET_NAMES.tokenCache)).toBe('current');
    expect(await secrets.reseal(ACME, SECRET_NAMES.clientSecret)).toBe('missing');
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

  it('reads secrets of DYNSYNC_PREVIOUS_ENCRYPTION_KEYS', () => {
    const old = new SecretCipher({ id: 'k1', key: Buffer.alloc(32, 1) });
    const sealed = old.seal('v', 'ctx');
    const c = cipherFromConfig({
      DYNSYNC_ENCRYPTION_KEY: Buffer.alloc(32, 2).toString('base64'),
      DYNSYNC_ENCRYPTION_KEY_ID: 'k2',
      DYNSYNC_PREVIOUS_ENCRYPTION_KEYS: `k0:${Buffer.alloc(32, 7).toString('hex')}, k1:${Buffer.alloc(32, 1).toString('base64')}`,
    });
    expect(c.open(sealed, 'ctx')).toBe('v');
    expect(c.isStale(sealed)).toBe(true);
  });
});
