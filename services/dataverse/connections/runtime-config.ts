/**
 * What every process that talks to Dataverse needs besides a connection: client tuning, the encryption key of
 * the secrets, and the development settings that admit the simulator. Services spread
 * {@link DATAVERSE_RUNTIME_ENV} into their own config schema.
 */
import { z } from 'zod';
import { envField } from '../../shared/config.ts';
import { DATAVERSE_AUTH_ENV } from '../auth/config.ts';
import { DATAVERSE_CLIENT_ENV } from '../client/config.ts';
import { devOriginProblem } from '../org/org-url.ts';
import { SECRETS_ENV } from '../secrets/config.ts';

/** Environment variables of the Dataverse runtime. */
export const DATAVERSE_RUNTIME_ENV = {
  ...DATAVERSE_CLIENT_ENV,
  ...DATAVERSE_AUTH_ENV,
  ...SECRETS_ENV,
  /**
   * Development only: exact https origins on this machine's loopback accepted as organisation URLs besides real
   * Dataverse hosts, comma separated (the simulator's, e.g. `https://127.0.0.1:8443`). Refused with
   * NODE_ENV=production (dev-switches.ts).
   */
  DYNSYNC_DEV_ORIGINS: z
    .string()
    .default('')
    .transform((s) => s.split(',').map((o) => o.trim()).filter(Boolean))
    .superRefine((list, ctx) => {
      list.forEach((entry, i) => {
        const problem = devOriginProblem(entry);
        if (problem !== undefined) ctx.addIssue({ code: 'custom', path: [i], message: problem });
      });
    }),
  /** `production` refuses every development switch (DYNSYNC_DEV_*). */
  NODE_ENV: z.string().optional(),
  /** Database holding connections, secrets, runs and watermarks. */
  DYNSYNC_STATE_DB: envField.databaseName('dynsync'),
} as const;

/** The schema of the runtime variables (for services that validate only these). */
export const dataverseRuntimeSchema = z.object(DATAVERSE_RUNTIME_ENV);

/** The typed runtime configuration. */
export type DataverseRuntimeConfig = Readonly<z.infer<typeof dataverseRuntimeSchema>>;
