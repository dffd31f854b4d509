import { describe, expect, it } from 'vitest';
import { encodeRecordHeaders } from '../../contracts/record-headers.ts';
import { taskHeaders } from './task-headers.ts';

const bytes = (headers: Record<string, Buffer | string>) => Object.entries(headers).map(([k, v]) => [k, Buffer.from(v).toString('hex')]);

describe('taskHeaders: the bytes of encodeRecordHeaders, with the task\'s headers encoded once', () => {
  const task = { runId: '7d4c2a8e-1f3b-4c5d-9e6f-0a1b2c3d4e5f', taskId: '7d4c2a8e-1f3b-4c5d-9e6f-0a1b2c3d4e5f.1.0', syncKind: 'incremental' as const, runStartMs: Date.UTC(2026, 11, 2, 13, 0, 0, 5) };
  const headers = taskHeaders(task);

  it.each([
    ['an ordinary row', Date.UTC(2025, 7, 2, 8, 0, 0), '7329'],
    ['a version beyond 2^53', Date.UTC(1753, 0, 1), '9223372036854775807'],
    ['no versionnumber', Date.UTC(9999, 11, 30, 23, 59, 59, 999), '0'],
    ['a negative version', 0, '-9223372036854775808'],
  ])('%s', (_name, modifiedOnMs, version) => {
    expect(bytes(headers({ modifiedOnMs, version }))).toEqual(bytes(encodeRecordHeaders({ ...task, modifiedOnMs, version: BigInt(version) })));
  });

  it('shares the task\'s header values between rows', () => {
    const [a, b] = [headers({ modifiedOnMs: 0, version: '1' }), headers({ modifiedOnMs: 1000, version: '2' })];
    expect(a['run-id']).toBe(b['run-id']);
    expect(a['run-start']).toBe(b['run-start']);
  });
});
