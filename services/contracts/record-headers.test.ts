import { describe, expect, it } from 'vitest';
import { isSyncError } from '../shared/errors.ts';
import { decodeRecordHeaders, encodeRecordHeaders, type RecordHeaders } from './record-headers.ts';

const sample: RecordHeaders = {
  runId: 'run-1',
  taskId: 'task-1',
  syncKind: 'incremental',
  runStartMs: Date.UTC(2026, 10, 27, 12),
  modifiedOnMs: Date.UTC(2026, 10, 27, 11, 59, 59),
  version: 9_223_372_036_854_775_807n,
};

describe('record headers', () => {
  it('round-trip, as Buffers the way kafkajs delivers them', () => {
    const raw = Object.fromEntries(Object.entries(encodeRecordHeaders(sample)).map(([k, v]) => [k, Buffer.from(v)]));
    expect(decodeRecordHeaders(raw)).toEqual(sample);
  });

  it.each([
    ['run-id', undefined, /"run-id" is missing/],
    ['sync-kind', 'partial', /sync-kind/],
    ['source-version', '12.5', /not an integer/],
    ['source-version', '99999999999999999999', /not an integer/],
    ['source-modifiedon', 'yesterday', /not an ISO 8601/],
    ['run-start', '2026-13-45T00:00:00Z', /not an ISO 8601/],
  ])('reject %s = %s', (name, value, message) => {
    const raw: Record<string, string | undefined> = { ...encodeRecordHeaders(sample), [name]: value };
    const err = (() => {
      try {
        decodeRecordHeaders(raw);
      } catch (e) {
        return e;
      }
    })();
    expect(isSyncError(err, 'RECORD_INVALID')).toBe(true);
    expect((err as Error).message).toMatch(message);
  });
});
