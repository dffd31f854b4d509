/**
 * What every process that talks to Dataverse needs besides a connection: client tuning, the encryption key of
 * the secrets, and the development settings that admit the simulator. Services spread
 * {@link DATAVERSE_RUNTIME_ENV} into their own config schema.
 */
import { z } from 'zod';
import { envField } from '../../shared/config.ts';
import { DATAVERSE_AUTH_ENV } from '../auth/config.ts';
import { DATAVERSE_CLIENT_ENV } from '../client/config.ts';
import { SECRETS_ENV } from '../secrets/config.ts';

/** Environment variables of the Dataverse runtime. */
export const DATAVERSE_RUNTIME_ENV = {
  ...DATAVERSE_CLIENT_ENV,
  ...DATAVERSE_AUTH_ENV,
  ...SECRETS_ENV,
  /**
   * Development only: exact https origins accepted as organisation URLs besides real Dataverse hosts, comma
   * separated (the simulator's, e.g. `https://127.0.0.1:8443`). Empty in production.
   */
  DYNSYNC_DEV_ORIGINS: z
    .string()
    .default('')
    .transform((s) => s.split(',').map((o) => o.trim()).filter(Boolean)),
  /** Database holding connections, secrets, runs and watermarks. */
  DYNSYNC_STATE_DB: envField.databaseName('dynsync'),
} as const;

/** The schema of the runtime variables (for services that validate only these). */
export const dataverseRuntimeSchema = z.object(DATAVERSE_RUNTIME_ENV);

/** The typed runtime configuration. */
export type DataverseRuntimeConfig = Readonly<z.infer<typeof dataverseRuntimeSchema>>;
