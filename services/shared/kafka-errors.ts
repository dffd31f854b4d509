/**
 * What a failed Kafka request means (pure): whether a producer itself is broken and must be replaced, whether the
 * failure is transient (the broker is restarting, a leader is being elected, a connection failed after kafkajs's
 * retries) or whether the request can never succeed as it is (too large, not authorised, invalid). kafkajs reports
 * the broker's error `type` on a KafkaJSProtocolError, possibly wrapped (KafkaJSNonRetriableError,
 * KafkaJSNumberOfRetriesExceeded) with the original as `cause`. services/shared/errors.ts turns every Kafka error into
 * KAFKA_UNAVAILABLE or KAFKA_FAILED with it.
 */

/** What to do with a failed request. */
export type KafkaErrorAction =
  /** The producer's idempotent (or transactional) state is broken: close it, open a new one, send again. */
  | 'replace'
  /** Transient: Kafka will accept the same send later (the task is retried). */
  | 'retry'
  /** Permanent: the same send fails again whatever the producer (the task fails). */
  | 'fail';

/**
 * Broker errors after which a producer's sequence numbers or epoch no longer match the broker's: every later send
 * of that producer to the same partitions fails the same way (kafkajs does not recover), while a new producer (a
 * new producer id, sequences from 0) is accepted at once.
 */
const BROKEN_STATE = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'DUPLICATE_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
  'PRODUCER_FENCED',
  'INVALID_PRODUCER_ID_MAPPING',
  'INVALID_TXN_STATE',
]);

/** Errors kafkajs raises itself (no broker `type`) that mean "not now" rather than "never". */
const TRANSIENT_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSLockTimeout',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTopicMetadataNotLoaded',
  'KafkaJSStaleTopicMetadataAssignment',
  'KafkaJSPartialMessageError',
]);

interface KafkaErrorLike {
  name?: unknown;
  type?: unknown;
  retriable?: unknown;
  cause?: unknown;
  originalError?: unknown;
}

/** The errors along `err`'s cause chain, `err` first (at most 5). */
function chain(err: unknown): KafkaErrorLike[] {
  const out: KafkaErrorLike[] = [];
  for (let e: unknown = err; e && typeof e === 'object' && out.length < 5; ) {
    const k = e as KafkaErrorLike;
    out.push(k);
    e = k.cause ?? k.originalError;
  }
  return out;
}

/** The broker error type (e.g. `OUT_OF_ORDER_SEQUENCE_NUMBER`) along `err`'s cause chain, if any. */
export function kafkaErrorType(err: unknown): string | undefined {
  for (const e of chain(err)) if (typeof e.type === 'string') return e.type;
  return undefined;
}

/** Classifies a failed Kafka request; `reason` names the broker error type or the kafkajs error. */
export function classifyKafkaError(err: unknown): { action: KafkaErrorAction; reason: string } {
  const errors = chain(err);
  const type = kafkaErrorType(err);
  if (type !== undefined && BROKEN_STATE.has(type)) return { action: 'replace', reason: type };
  const names = errors.map((e) => (typeof e.name === 'string' ? e.name : ''));
  const reason = type ?? names.find((n) => n.startsWith('KafkaJS')) ?? names[0] ?? 'unknown';
  // a broker error type decides by itself (kafkajs marks LEADER_NOT_AVAILABLE, NOT_ENOUGH_REPLICAS... retriable;
  // MESSAGE_TOO_LARGE, TOPIC_AUTHORIZATION_FAILED... not), even when a wrapper says "non-retriable" after retries
  const typed = errors.find((e) => typeof e.type === 'string');
  if (typed) return { action: typed.retriable === true ? 'retry' : 'fail', reason };
  if (names.some((n) => TRANSIENT_NAMES.has(n)) || errors[0]?.retriable === true) return { action: 'retry', reason };
  return { action: 'fail', reason };
}
