/**
 * Configuration knobs of the Dataverse HTTP client. Services spread {@link DATAVERSE_CLIENT_ENV} into their own
 * schema.
 */
import { z } from 'zod';
import { envField } from '../../shared/config.ts';
import { MAX_PAGE_SIZE } from './odata-headers.ts';

/** Environment variables of the Dataverse client. */
export const DATAVERSE_CLIENT_ENV = {
  /** Keep-alive connections per origin in the undici pool. */
  DATAVERSE_MAX_CONNECTIONS: envField.positiveInt(16),
  /** Most requests in flight per connection; `x-ms-dop-hint` may lower it, never raise it. */
  DATAVERSE_MAX_CONCURRENCY: envField.positiveInt(8),
  /**
   * `Prefer: odata.maxpagesize` for scans (1..5000). 500 keeps the extractor under 300 MB with lookup names on (every
   * column then carries a FormattedValue annotation, doubling the page): 271 MB against 343 MB at 1000, 4 % slower.
   */
  DATAVERSE_PAGE_SIZE: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(500),
  /** Timeout for response headers and for body inactivity, per request (Dataverse itself stops at 2 min). */
  DATAVERSE_REQUEST_TIMEOUT_MS: envField.positiveInt(130_000),
  /** Retries per request (page) after the first attempt. */
  DATAVERSE_RETRIES: z.coerce.number().int().min(0).max(20).default(6),
  /** Development only: PEM CA certificate to trust in addition to the system roots (the simulator's). */
  DYNSYNC_DEV_CA_PATH: z.string().min(1).optional(),
} as const;

