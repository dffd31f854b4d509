/**
 * The client secret typed at connect time, kept sealed with the connection's other secrets (never plaintext).
 */
import { SyncError } from '../../shared/errors.ts';
import { SECRET_NAMES, type EncryptedSecrets } from '../secrets/encrypted-secrets.ts';

/** Seals and stores the client secret of `connectionId` (replacing any previous one). */
export async function saveClientSecret(secrets: EncryptedSecrets, connectionId: string, clientSecret: string): Promise<void> {
  if (clientSecret === '') throw new SyncError('CONFIG_INVALID', 'the client secret is empty');
  await secrets.put(connectionId, SECRET_NAMES.clientSecret, clientSecret);
}

/** The stored client secret of `connectionId`; CONNECTION_NOT_FOUND when none is stored. */
export async function loadClientSecret(secrets: EncryptedSecrets, connectionId: string): Promise<string> {
  const secret = await secrets.get(connectionId, SECRET_NAMES.clientSecret);
  if (secret === undefined) {
    throw new SyncError('CONNECTION_NOT_FOUND', `no client secret is stored for connection ${connectionId}: run \`dynsync connect\``, {
      details: { connectionId },
    });
  }
  return secret;
}
