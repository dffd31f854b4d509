/**
 * The `WhoAmI` function's answer plus what its response headers tell about the environment (reference A8):
 * recommended parallelism and server time. Pure: the local time is an argument.
 */
import { SyncError } from '../../shared/errors.ts';

/** Who the connection is, and the server's view of time and parallelism. */
export interface WhoAmI {
  userId: string;
  businessUnitId: string;
  organizationId: string;
  /** `x-ms-dop-hint`: the recommended degree of parallelism; undefined when the header is absent. */
  dopHint: number | undefined;
  /** The server's `Date` header (second precision). */
  serverTime: Date;
  /** serverTime − local time of the exchange, in ms (positive: the server is ahead). */
  clockSkewMs: number;
}

/**
 * Builds {@link WhoAmI} from the parsed body, the response headers (lower-case names) and the local time of the
 * exchange. A body without the three ids, or a response without a valid `Date`, is DATAVERSE_PAYLOAD_INVALID.
 */
export function parseWhoAmI(body: unknown, headers: Record<string, string | string[] | undefined>, localMs: number): WhoAmI {
  const b = (body ?? {}) as Record<string, unknown>;
  const ids = [b.UserId, b.BusinessUnitId, b.OrganizationId];
  if (!ids.every((v) => typeof v === 'string' && v.length > 0)) {
    throw new SyncError('DATAVERSE_PAYLOAD_INVALID', 'WhoAmI returned no UserId/BusinessUnitId/OrganizationId');
  }
  const date = first(headers.date);
  const serverMs = date === undefined ? Number.NaN : Date.parse(date);
  if (Number.isNaN(serverMs)) throw new SyncError('DATAVERSE_PAYLOAD_INVALID', 'WhoAmI response has no valid Date header');
  const hint = Number(first(headers['x-ms-dop-hint']));
  return {
    userId: b.UserId as string,
    businessUnitId: b.BusinessUnitId as string,
    organizationId: b.OrganizationId as string,
    dopHint: Number.isInteger(hint) && hint > 0 ? hint : undefined,
    serverTime: new Date(serverMs),
    clockSkewMs: Math.round(serverMs - localMs),
  };
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
