import { describe, expect, it } from 'vitest';
import { KafkaJSError } from 'kafkajs';
import { SyncError, toSyncError } from './errors.ts';

describe('toSyncError', () => {
  it.each([
    ['a SyncError passes through', new SyncError('RECORD_INVALID', 'bad'), 'RECORD_INVALID', false],
    ['a retriable kafkajs error is transient', new KafkaJSError('leader not available', { retriable: true }), 'KAFKA_UNAVAILABLE', true],
    ['a non-retriable kafkajs error falls back', new KafkaJSError('topic authorization failed', { retriable: false }), 'INTERNAL', false],
    ['a plain error falls back', new Error('boom'), 'INTERNAL', false],
    ['a string falls back', 'boom', 'INTERNAL', false],
  ] as const)('%s', (_name, err, code, retriable) => {
    const e = toSyncError(err);
    expect(e.code).toBe(code);
    expect(e.retriable).toBe(retriable);
  });
});
