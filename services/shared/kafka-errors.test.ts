import { describe, expect, it } from 'vitest';
import { KafkaJSConnectionError, KafkaJSError, KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError, KafkaJSRequestTimeoutError } from 'kafkajs';
import { kafkaSyncError } from './errors.ts';
import { classifyKafkaError, kafkaErrorType } from './kafka-errors.ts';

/** A broker error as kafkajs raises it (protocol/error.js gives each code its type and retriable flag). */
const broker = (type: string, retriable: boolean) => new KafkaJSProtocolError({ message: `broker said ${type}`, type, code: 0, retriable } as never);

/** What kafkajs's retrier throws for a non-retriable error: a wrapper with the original as cause (its typings omit the option). */
const nonRetriable = (e: Error) => new (KafkaJSNonRetriableError as unknown as new (e: Error, o: { cause: Error }) => Error)(e, { cause: e });

describe('classifyKafkaError', () => {
  it.each([
    // the producer's idempotent or transactional state is broken: a new producer, the same records again
    ['out of order sequence number', broker('OUT_OF_ORDER_SEQUENCE_NUMBER', false), 'replace'],
    ['duplicate sequence number', broker('DUPLICATE_SEQUENCE_NUMBER', false), 'replace'],
    ['unknown producer id', broker('UNKNOWN_PRODUCER_ID', false), 'replace'],
    ['invalid producer epoch', broker('INVALID_PRODUCER_EPOCH', false), 'replace'],
    ['producer fenced', broker('PRODUCER_FENCED', false), 'replace'],
    ['invalid producer id mapping', broker('INVALID_PRODUCER_ID_MAPPING', false), 'replace'],
    ['wrapped by kafkajs as non-retriable', nonRetriable(broker('OUT_OF_ORDER_SEQUENCE_NUMBER', false)), 'replace'],
    // transient: the same send succeeds later
    ['leader not available', broker('LEADER_NOT_AVAILABLE', true), 'retry'],
    ['not leader for partition', broker('NOT_LEADER_FOR_PARTITION', true), 'retry'],
    ['not enough replicas', broker('NOT_ENOUGH_REPLICAS', true), 'retry'],
    ['request timed out (broker)', broker('REQUEST_TIMED_OUT', true), 'retry'],
    ['retries exhausted on a retriable broker error', new KafkaJSNumberOfRetriesExceeded(broker('LEADER_NOT_AVAILABLE', true), { retryCount: 5, retryTime: 100 }), 'retry'],
    ['connection refused', new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092'), 'retry'],
    ['request timeout (client)', new KafkaJSRequestTimeoutError('Request produce(key: 0, version: 7) timed out'), 'retry'],
    ['a retriable kafkajs error without a type', new KafkaJSError('Broker not connected', { retriable: true }), 'retry'],
    // permanent: the task fails
    ['message too large', broker('MESSAGE_TOO_LARGE', false), 'fail'],
    ['record list too large', broker('RECORD_LIST_TOO_LARGE', false), 'fail'],
    ['topic authorization failed', broker('TOPIC_AUTHORIZATION_FAILED', false), 'fail'],
    ['invalid record', broker('INVALID_RECORD', false), 'fail'],
    ['a plain error', new Error('something else'), 'fail'],
    ['not an error at all', 'boom', 'fail'],
  ])('%s → %s', (_name, err, action) => {
    expect(classifyKafkaError(err).action).toBe(action);
  });

  it('names the broker error type as the reason, through wrappers', () => {
    const wrapped = new KafkaJSNumberOfRetriesExceeded(broker('NOT_ENOUGH_REPLICAS', true), { retryCount: 3, retryTime: 10 });
    expect(kafkaErrorType(wrapped)).toBe('NOT_ENOUGH_REPLICAS');
    expect(classifyKafkaError(wrapped).reason).toBe('NOT_ENOUGH_REPLICAS');
    expect(classifyKafkaError(new KafkaJSConnectionError('refused')).reason).toBe('KafkaJSConnectionError');
  });
});

describe('kafkaSyncError', () => {
  it.each([
    ['a transient error is KAFKA_UNAVAILABLE (the task is retried)', broker('NOT_ENOUGH_REPLICAS', true), 'KAFKA_UNAVAILABLE', true],
    ['a broken producer state that outlived its replacements is KAFKA_UNAVAILABLE', broker('OUT_OF_ORDER_SEQUENCE_NUMBER', false), 'KAFKA_UNAVAILABLE', true],
    ['a permanent error is KAFKA_FAILED (the task fails)', broker('MESSAGE_TOO_LARGE', false), 'KAFKA_FAILED', false],
  ])('%s', (_name, err, code, retriable) => {
    const e = kafkaSyncError(err, 'dynamics.contoso.account');
    expect(e.code).toBe(code);
    expect(e.retriable).toBe(retriable);
    expect(e.message).toMatch(/^producing to dynamics\.contoso\.account failed \([A-Z_]+\)/);
    expect(e.details).toMatchObject({ topic: 'dynamics.contoso.account' });
  });
});
