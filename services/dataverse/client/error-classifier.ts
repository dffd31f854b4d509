/**
 * The ONE table that turns a failed Dataverse Web API exchange into a {@link SyncError} (architecture.md §7): HTTP
 * status + Dataverse error code (`{"error":{"code","message"}}`, reference A7) for responses, Node/undici error
 * codes for transport failures. Pure: time comes in as an argument. Messages name the URL path (never the query's
 * token, which is never in the URL anyway) and what to do.
 */
import { SyncError, causeCodes, type ErrorCode } from '../../shared/errors.ts';

/** A non-2xx response, as the classifier sees it. */
export interface FailedResponse {
  status: number;
  /** The raw body text (may be empty or not JSON). */
  body: string;
  /** The `Retry-After` header, if any. */
  retryAfter?: string | undefined;
  /** The URL path of the request (no origin, no query). */
  path: string;
  /** Now, in ms since the epoch (to resolve an HTTP-date Retry-After). */
  nowMs: number;
}

/** The `error` object of a Dataverse error body. */
export interface DataverseErrorBody {
  code: string;
  message: string;
}

/** Dataverse error codes the table matches on (hex, lower-case). */
export const DATAVERSE_CODES = {
  privilegeDenied: '0x80040220',
  resourceNotFound: '0x8006088a',
  recordNotFound: '0x80040217',
  expiredVersionStamp: '0x80044352',
  throttleRequests: '0x80072322',
  throttleExecutionTime: '0x80072321',
  throttleConcurrency: '0x80072326',
} as const;

interface Rule {
  /** Matches this status, or any status in [lo, hi]. */
  status: number | readonly [number, number];
  /** Matches only these Dataverse codes (any code when absent). */
  codes?: readonly string[];
  code: ErrorCode;
  message: (r: FailedResponse, e: DataverseErrorBody | undefined) => string;
}

const said = (e: DataverseErrorBody | undefined): string => (e?.message ? `: ${truncate(e.message, 300)}` : '');

/** First matching row wins. */
const RULES: readonly Rule[] = [
  {
    status: [400, 499],
    codes: [DATAVERSE_CODES.expiredVersionStamp],
    code: 'DATAVERSE_DELTA_EXPIRED',
    message: (r) => `the change-tracking token for ${r.path} has expired (or the table's metadata changed): run a full resync of the table`,
  },
  {
    status: 401,
    code: 'AUTH_TOKEN_EXPIRED',
    message: (r) => `Dataverse rejected the access token for ${r.path} (401): the token is refreshed and the request retried once`,
  },
  {
    status: 403,
    code: 'AUTH_FORBIDDEN',
    message: (r, e) =>
      `access denied to ${r.path} (403${e?.code ? ` ${e.code}` : ''}): the application user lacks a security role that grants ` +
      `organization-level Read on this table; assign one in the Power Platform admin center${said(e)}`,
  },
  {
    status: 404,
    codes: [DATAVERSE_CODES.resourceNotFound],
    code: 'DATAVERSE_NOT_FOUND',
    message: (r, e) => `no such resource ${r.path} (404 ${DATAVERSE_CODES.resourceNotFound}): check the entity set name (case-sensitive) and the organisation URL${said(e)}`,
  },
  { status: 404, code: 'DATAVERSE_NOT_FOUND', message: (r, e) => `not found: ${r.path} (404)${said(e)}` },
  {
    status: 429,
    code: 'DATAVERSE_THROTTLED',
    message: (r, e) => `Dataverse service protection limit hit on ${r.path} (429${e?.code ? ` ${e.code}` : ''})${said(e)}`,
  },
  { status: 408, code: 'DATAVERSE_TIMEOUT', message: (r) => `Dataverse timed out serving ${r.path} (408)` },
  { status: 504, code: 'DATAVERSE_TIMEOUT', message: (r) => `Dataverse gateway timed out serving ${r.path} (504)` },
  { status: [500, 599], code: 'DATAVERSE_UNAVAILABLE', message: (r, e) => `Dataverse is unavailable for ${r.path} (${r.status})${said(e)}` },
  { status: [400, 499], code: 'DATAVERSE_BAD_REQUEST', message: (r, e) => `Dataverse refused the request ${r.path} (${r.status})${said(e)}` },
  { status: [0, 999], code: 'DATAVERSE_UNAVAILABLE', message: (r) => `unexpected HTTP status ${r.status} from Dataverse for ${r.path}` },
];

/** Parses `{"error":{"code","message"}}`; undefined when the body is empty or has another shape. */
export function parseDataverseError(body: string): DataverseErrorBody | undefined {
  if (!body.trim()) return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    const err = (parsed as { error?: unknown } | null)?.error as { code?: unknown; message?: unknown } | undefined;
    if (!err || typeof err !== 'object') return undefined;
    return {
      code: typeof err.code === 'string' ? err.code.toLowerCase() : '',
      message: typeof err.message === 'string' ? err.message : '',
    };
  } catch {
    return undefined;
  }
}

/**
 * `Retry-After` in ms: integer (or decimal) seconds, or an HTTP date relative to `nowMs`. Undefined when absent or
 * unparseable; never negative.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

function matches(rule: Rule, status: number, code: string | undefined): boolean {
  const [lo, hi] = typeof rule.status === 'number' ? [rule.status, rule.status] : rule.status;
  if (status < lo || status > hi) return false;
  return rule.codes === undefined || (code !== undefined && rule.codes.includes(code));
}

/** Classifies a non-2xx Dataverse response by the table above. */
export function classifyResponse(r: FailedResponse): SyncError {
  const e = parseDataverseError(r.body);
  const rule = RULES.find((x) => matches(x, r.status, e?.code));
  // The last row matches every status, so a rule is always found.
  const { code, message } = rule ?? RULES[RULES.length - 1]!;
  const retryAfterMs = code === 'DATAVERSE_THROTTLED' ? parseRetryAfter(r.retryAfter, r.nowMs) : undefined;
  return new SyncError(code, message(r, e), {
    retryAfterMs,
    details: { status: r.status, dataverseCode: e?.code || undefined, path: r.path },
  });
}

/** Transport error codes (Node / undici) → our code. */
const TRANSPORT: ReadonlyArray<readonly [readonly string[], ErrorCode, string]> = [
  [['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT'], 'DATAVERSE_TIMEOUT', 'timed out'],
  [
    [
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'SELF_SIGNED_CERT_IN_CHAIN',
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
      'CERT_HAS_EXPIRED',
      'ERR_TLS_CERT_ALTNAME_INVALID',
    ],
    'CONFIG_INVALID',
    'has a TLS certificate this process does not trust (for the simulator, configure its CA certificate path)',
  ],
  [['ENOTFOUND', 'EAI_AGAIN'], 'DATAVERSE_UNAVAILABLE', 'host name could not be resolved'],
];

/**
 * Classifies an error thrown while sending a request or reading its body (no HTTP status): timeouts →
 * DATAVERSE_TIMEOUT, untrusted TLS certificates → CONFIG_INVALID, everything else (resets, refused connections,
 * truncated bodies, closed sockets) → DATAVERSE_UNAVAILABLE. A SyncError passes through.
 */
export function classifyTransportError(err: unknown, path: string): SyncError {
  if (err instanceof SyncError) return err;
  const all = causeCodes(err);
  const row = TRANSPORT.find(([codes]) => all.some((c) => codes.includes(c)));
  const code = all.find((c) => row?.[0].includes(c)) ?? all[0];
  const [, ours, what] = row ?? [[], 'DATAVERSE_UNAVAILABLE', 'connection failed'];
  return new SyncError(ours, `request to Dataverse ${path} failed: ${what}${code ? ` (${code})` : ''}`, {
    cause: err,
    details: { path, transportCode: code },
  });
}

/** A body that is not valid (or complete) JSON: a transport fault, so retriable. */
export function invalidBodyError(path: string, cause: unknown): SyncError {
  return new SyncError('DATAVERSE_UNAVAILABLE', `Dataverse returned a truncated or invalid JSON body for ${path}`, {
    cause,
    details: { path },
  });
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n)}…`;
}
