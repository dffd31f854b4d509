/**
 * The client secret typed at connect time, kept sealed with the connection's other secrets (never plaintext), bound
 * to the connection's organisation, tenant and app (encrypted-secrets.ts).
 */
import { SyncError } from '../../shared/errors.ts';
import { SECRET_NAMES, bindingOf, type EncryptedSecrets } from '../secrets/encrypted-secrets.ts';

/** What a secret is bound to: the connection's id, organisation URL, tenant and client id. */
export type SecretOwner = Parameters<typeof bindingOf>[0];

/** Seals and stores the client secret of `connection` (replacing any previous one). */
export async function saveClientSecret(secrets: EncryptedSecrets, connection: SecretOwner, clientSecret: string): Promise<void> {
  if (clientSecret === '') throw new SyncError('CONFIG_INVALID', 'the client secret is empty');
  await secrets.put(bindingOf(connection), SECRET_NAMES.clientSecret, clientSecret);
}

/** The stored client secret of `connection`; CONNECTION_NOT_FOUND when none is stored. */
export async function loadClientSecret(secrets: EncryptedSecrets, connection: SecretOwner): Promise<string> {
  const secret = await secrets.get(bindingOf(connection), SECRET_NAMES.clientSecret);
  if (secret === undefined) {
    throw new SyncError('CONNECTION_NOT_FOUND', `no client secret is stored for connection ${connection.id}: run \`dynsync connect\``, {
      details: { connectionId: connection.id },
    });
  }
  return secret;
}
