import { describe, expect, it } from 'vitest';
import { KafkaJSConnectionError, KafkaJSError, KafkaJSNonRetriableError } from 'kafkajs';
import { MongoNetworkError, MongoServerError, MongoServerSelectionError } from 'mongodb';
import { SyncError, toSyncError } from './errors.ts';

/** What kafkajs's retrier throws once it gives up: a non-retriable wrapper with the original as cause (its typings omit the option). */
const afterRetries = (e: Error) => new (KafkaJSNonRetriableError as unknown as new (e: Error, o: { cause: Error }) => Error)(e, { cause: e });

describe('toSyncError', () => {
  it.each([
    ['a SyncError passes through', new SyncError('RECORD_INVALID', 'bad'), 'RECORD_INVALID', false],
    ['a retriable kafkajs error is transient', new KafkaJSError('leader not available', { retriable: true }), 'KAFKA_UNAVAILABLE', true],
    ['a non-retriable kafkajs error is KAFKA_FAILED', new KafkaJSError('topic authorization failed', { retriable: false }), 'KAFKA_FAILED', false],
    ['a connection that failed after kafkajs gave up retrying is transient', afterRetries(new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092')), 'KAFKA_UNAVAILABLE', true],
    ['a MongoDB network error is a transient store outage', new MongoNetworkError('connection 1 to 127.0.0.1:27017 closed'), 'STORE_UNAVAILABLE', true],
    ['a MongoDB server selection timeout is a transient store outage', new MongoServerSelectionError('Server selection timed out after 30000 ms', {} as never), 'STORE_UNAVAILABLE', true],
    ['a MongoDB server error (a rejected command) falls back', new MongoServerError({ message: 'bad filter', code: 2 }), 'INTERNAL', false],
    ['a plain error falls back', new Error('boom'), 'INTERNAL', false],
    ['a string falls back', 'boom', 'INTERNAL', false],
  ] as const)('%s', (_name, err, code, retriable) => {
    const e = toSyncError(err);
    expect(e.code).toBe(code);
    expect(e.retriable).toBe(retriable);
  });
});
