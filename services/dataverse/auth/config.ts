/**
 * Configuration of OAuth. Real organisations need none: the authority follows from the org URL's cloud and the
 * connection's tenant. The simulator (cloud `dev`) needs its Entra origin here, and its CA certificate in
 * `DYNSYNC_DEV_CA_PATH` (client/config.ts).
 */
import { z } from 'zod';
import { devOriginProblem } from '../org/org-url.ts';

/** Environment variables of the auth module. */
export const DATAVERSE_AUTH_ENV = {
  /**
   * Development only: the https origin of the simulated Entra on loopback, e.g. `https://127.0.0.1:8443`; must be
   * one of DYNSYNC_DEV_ORIGINS (connections/dev-switches.ts). Unset: a dev organisation signs in at its own origin.
   */
  DYNSYNC_DEV_AUTHORITY: z
    .url({ protocol: /^https$/ })
    .optional()
    .superRefine((v, ctx) => {
      const problem = v === undefined ? undefined : devOriginProblem(v.replace(/\/$/, ''));
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    }),
} as const;

