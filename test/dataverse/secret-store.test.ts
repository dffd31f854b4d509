/**
 * Sealed secrets in the real MongoDB-protocol store: only ciphertext is stored, round trips work, a wrong key gives
 * the clear "key does not match" error, and a missing key refuses to operate.
 */
import type { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSyncError } from '../../services/shared/errors.ts';
import { cipherFromConfig } from '../../services/dataverse/secrets/config.ts';
import { EncryptedSecrets, SECRET_NAMES, bindingOf } from '../../services/dataverse/secrets/encrypted-secrets.ts';
import { MongoSecretStore } from '../../services/dataverse/secrets/mongo-secret-store.ts';
import { SecretCipher } from '../../services/dataverse/secrets/secret-cipher.ts';
import { testMongo, uniqueName } from '../support/servers.ts';

let mongo: MongoClient;
const dbName = uniqueName('secrets');
const KEY = { id: '1', key: Buffer.alloc(32, 0x5a) };
const owner = (id: string) => bindingOf({ id, orgUrl: 'https://acme.crm4.dynamics.com', tenantId: 'contoso.onmicrosoft.com', clientId: '11111111-2222-3333-4444-555555555555' });

beforeAll(async () => {
  mongo = await testMongo();
});

afterAll(async () => {
  await mongo.db(dbName).dropDatabase().catch(() => undefined);
  await mongo.close();
});

describe('MongoSecretStore + EncryptedSecrets', () => {
  it('stores only ciphertext and reads the secret back, replacing on re-put', async () => {
    const store = new MongoSecretStore(mongo.db(dbName));
    const secrets = new EncryptedSecrets(new SecretCipher(KEY), store);
    await secrets.put(owner('acme'), SECRET_NAMES.clientSecret, 'first-client-secret');
    await secrets.put(owner('acme'), SECRET_NAMES.clientSecret, 'second-client-secret');
    const raw = await mongo.db(dbName).collection('secrets').find({}).toArray();
    expect(raw).toHaveLength(1);
    expect(raw[0]).toMatchObject({ _id: 'acme/client-secret', connectionId: 'acme', name: 'client-secret', keyId: '1' });
    expect(raw[0]!.updatedAt).toBeInstanceOf(Date);
    expect(JSON.stringify(raw)).not.toMatch(/first-client-secret|second-client-secret/);
    expect(await secrets.get(owner('acme'), SECRET_NAMES.clientSecret)).toBe('second-client-secret');
    await secrets.delete('acme', SECRET_NAMES.clientSecret);
    expect(await secrets.get(owner('acme'), SECRET_NAMES.clientSecret)).toBeUndefined();
  });

  it('says the key does not match when read with another key', async () => {
    const store = new MongoSecretStore(mongo.db(dbName));
    await new EncryptedSecrets(new SecretCipher(KEY), store).put(owner('beta'), SECRET_NAMES.tokenCache, '{"RefreshToken":{}}');
    const wrong = new EncryptedSecrets(new SecretCipher({ id: '1', key: Buffer.alloc(32, 0x11) }), store);
    const err = await wrong.get(owner('beta'), SECRET_NAMES.tokenCache).catch((e: unknown) => e);
    expect(isSyncError(err, 'CONFIG_INVALID')).toBe(true);
    expect((err as Error).message).toMatch(/does not match/);
  });

  it('refuses to operate without a key', () => {
    let err: unknown;
    try {
      cipherFromConfig({ DYNSYNC_ENCRYPTION_KEY: undefined, DYNSYNC_ENCRYPTION_KEY_ID: '1' });
    } catch (e) {
      err = e;
    }
    expect(isSyncError(err, 'ENCRYPTION_KEY_MISSING')).toBe(true);
    expect((err as Error).message).toContain('openssl rand -base64 32');
  });
});
