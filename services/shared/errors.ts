/**
 * The closed error taxonomy shared by every service (architecture.md §7).
 *
 * Every error that crosses a boundary (HTTP, Kafka, MongoDB, configuration, user input) is a {@link SyncError}
 * with a stable `code` from {@link ERROR_CODES}. The code fixes the `kind`, and the kind fixes whether a retry
 * can help. Messages name the thing that is wrong and what to do; they never contain secrets (Invariant 7).
 */
import { classifyKafkaError } from './kafka-errors.ts';

/** What kind of failure this is; decides retry behaviour and exit codes. */
export type ErrorKind = 'transient' | 'rate_limited' | 'config' | 'data' | 'fatal';

/**
 * Every error code the system can raise, with its kind. Adding a code is a design change: add it here, with
 * the kind, and classify into it at a boundary.
 */
export const ERROR_CODES = {
  // configuration and user input
  CONFIG_INVALID: 'config',
  ORG_URL_INVALID: 'config',
  ENCRYPTION_KEY_MISSING: 'config',
  CONNECTION_NOT_FOUND: 'config',
  COMMAND_INVALID: 'data',
  /** A command older than COORDINATOR_COMMAND_MAX_AGE_MS when read: reported in its run, not carried out. */
  COMMAND_EXPIRED: 'data',
  /** More commands for one connection than COORDINATOR_COMMANDS_PER_HOUR allows (after the burst): dead-lettered. */
  COMMAND_RATE_LIMITED: 'data',
  /** A task event that does not match what the run issued or what Kafka holds (a forged TaskCompleted): the run fails. */
  TASK_EVENT_INVALID: 'data',
  RUN_TIMEOUT: 'transient',
  // authentication and authorisation
  AUTH_INVALID_CLIENT: 'config',
  AUTH_CONSENT_REVOKED: 'config',
  AUTH_FORBIDDEN: 'config',
  AUTH_TOKEN_EXPIRED: 'transient',
  AUTH_FAILED: 'fatal',
  AUTH_UNAVAILABLE: 'transient',
  // Dataverse
  DATAVERSE_THROTTLED: 'rate_limited',
  DATAVERSE_UNAVAILABLE: 'transient',
  DATAVERSE_TIMEOUT: 'transient',
  DATAVERSE_NOT_FOUND: 'config',
  DATAVERSE_BAD_REQUEST: 'fatal',
  DATAVERSE_DELTA_EXPIRED: 'data',
  DATAVERSE_PAYLOAD_INVALID: 'data',
  DATAVERSE_WRITE_REFUSED: 'fatal',
  // records and schemas
  RECORD_INVALID: 'data',
  SCHEMA_INCOMPATIBLE: 'config',
  // infrastructure
  KAFKA_UNAVAILABLE: 'transient',
  KAFKA_FAILED: 'fatal',
  REGISTRY_UNAVAILABLE: 'transient',
  STORE_UNAVAILABLE: 'transient',
  STORE_WRITE_FAILED: 'fatal',
  INFRA_MISSING_TOOL: 'config',
  INFRA_START_FAILED: 'fatal',
  // anything not classified at a boundary
  INTERNAL: 'fatal',
} as const satisfies Record<string, ErrorKind>;

/** A code of the closed taxonomy. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** Options of a {@link SyncError}. */
export interface SyncErrorOptions {
  /** The underlying error, kept for logs; never shown to users if it may carry secrets. */
  cause?: unknown;
  /** For `rate_limited`: how long the server asked us to wait. */
  retryAfterMs?: number;
  /** Structured, secret-free context (table, window, status, Dataverse error code...). */
  details?: Record<string, unknown>;
}

/**
 * The one base error. `kind` and `retriable` derive from `code`; `rate_limited` errors carry `retryAfterMs`.
 */
export class SyncError extends Error {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  readonly retriable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: SyncErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SyncError';
    this.code = code;
    this.kind = ERROR_CODES[code];
    this.retriable = this.kind === 'transient' || this.kind === 'rate_limited';
    this.retryAfterMs = options.retryAfterMs;
    this.details = options.details ?? {};
  }

  /** A log-friendly, secret-free view. */
  toJSON(): Record<string, unknown> {
    return { code: this.code, kind: this.kind, retriable: this.retriable, message: this.message, ...this.details };
  }
}

/** True when `err` is a {@link SyncError}, optionally of the given code. */
export function isSyncError(err: unknown, code?: ErrorCode): err is SyncError {
  return err instanceof SyncError && (code === undefined || err.code === code);
}

/** The MongoDB driver's error names that mean "the store cannot be reached now" (network, selection, pool). */
const STORE_UNREACHABLE_ERRORS = new Set(['MongoNetworkError', 'MongoNetworkTimeoutError', 'MongoServerSelectionError', 'MongoPoolClearedError', 'MongoServerClosedError', 'MongoTopologyClosedError', 'MongoNotConnectedError']);

/**
 * Wraps anything thrown into a {@link SyncError}: a SyncError passes through, a kafkajs error becomes
 * `KAFKA_UNAVAILABLE` (transient) or `KAFKA_FAILED` ({@link kafkaSyncError}), a MongoDB driver error that means the store is unreachable becomes
 * `STORE_UNAVAILABLE` (transient), anything else becomes `fallback` (default `INTERNAL`, fatal), with the original
 * kept as cause. Boundaries should classify before this fallback is reached.
 */
export function toSyncError(err: unknown, fallback: ErrorCode = 'INTERNAL'): SyncError {
  if (err instanceof SyncError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof Error && err.name.startsWith('KafkaJS')) return kafkaSyncError(err);
  if (err instanceof Error && STORE_UNREACHABLE_ERRORS.has(err.name)) {
    return new SyncError('STORE_UNAVAILABLE', `MongoDB is unreachable: ${message}`, { cause: err });
  }
  return new SyncError(fallback, message, { cause: err });
}

/**
 * The SyncError of a failed Kafka request (kafka-errors.ts): KAFKA_UNAVAILABLE when a later attempt can succeed (a
 * broker restarting, a leader being elected, a connection that failed after kafkajs's own retries, a producer whose
 * state broke), KAFKA_FAILED when it cannot (too large, not authorised, invalid). `topic`: the topic a send went to.
 */
export function kafkaSyncError(err: unknown, topic?: string): SyncError {
  const { action, reason } = classifyKafkaError(err);
  const message = err instanceof Error ? err.message : String(err);
  const what = topic ? `producing to ${topic} failed (${reason})` : `Kafka ${action === 'fail' ? 'refused the request' : 'is not ready'} (${reason})`;
  const details = { kafkaError: reason, ...(topic ? { topic } : {}) };
  if (action === 'fail') return new SyncError('KAFKA_FAILED', `${what}: ${message}`, { cause: err, details });
  return new SyncError('KAFKA_UNAVAILABLE', `${what}: ${message}${topic ? '; the send is retried' : ''}`, { cause: err, details });
}

/** Process exit codes by kind: 0 ok, 2 configuration, 3 data, 4 transient gave up, 1 anything else. */
export function exitCodeFor(err: unknown): number {
  if (!(err instanceof SyncError)) return 1;
  switch (err.kind) {
    case 'config':
      return 2;
    case 'data':
      return 3;
    case 'transient':
    case 'rate_limited':
      return 4;
    default:
      return 1;
  }
}

/** The Node/undici `code`s along `err`'s cause chain, `err` itself first (at most 5 levels; undici wraps socket errors). */
export function causeCodes(err: unknown): string[] {
  const codes: string[] = [];
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const c = (e as { code?: unknown }).code;
    if (typeof c === 'string') codes.push(c);
  }
  return codes;
}
