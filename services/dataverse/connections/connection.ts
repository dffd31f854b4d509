/**
 * A connection: one customer organisation the product syncs. Stored (without secrets) in MongoDB; its client
 * secret and token cache are sealed separately (secrets/). The id names topics (`dynamics.<id>.<table>`) and
 * the database (`dynsync_<id>`), hence its strict alphabet.
 */
import { z } from 'zod';
import { CONNECTION_ID } from '../../contracts/ids.ts';


/** The default schedule (the seed's): full refresh nightly at 02:00, incremental every 2 hours. */
export const DEFAULT_SCHEDULE = { full: '0 2 * * *', incremental: '0 */2 * * *', timeZone: 'UTC' } as const;

/** Validation of a stored connection. */
export const connectionSchema = z.object({
  id: z.string().regex(CONNECTION_ID, 'lower-case letters, digits, _ and -, starting with a letter or digit, at most 48 characters'),
  orgUrl: z.url({ protocol: /^https$/ }),
  tenantId: z.string().min(1),
  clientId: z.string().min(1),
  flow: z.enum(['client-credentials', 'delegated']),
  /** `all` or the logical names of the tables to sync. */
  tables: z.union([z.literal('all'), z.array(z.string().regex(/^[a-z][a-z0-9_]{0,127}$/)).min(1)]),
  schedule: z.object({ full: z.string().min(9), incremental: z.string().min(9), timeZone: z.string().min(1) }),
  createdAt: z.date(),
  updatedAt: z.date(),
});

/** A stored connection (no secrets in it). */
export type Connection = z.infer<typeof connectionSchema>;
