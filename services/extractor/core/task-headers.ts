/**
 * The record headers (services/contracts/record-headers.ts) of one task's records, made for many rows: the four the
 * task's records share (`run-id`, `task-id`, `sync-kind`, `run-start`) are encoded once, as Buffers shared by every
 * record of the task; only `source-modifiedon` and `source-version` are made per row. Kafka carries header values
 * as bytes, so these are the bytes `encodeRecordHeaders` gives. Pure.
 */
import type { RecordHeaders } from '../../contracts/record-headers.ts';
import type { RowVersion } from './row-version.ts';

/** A header map as the producer takes it. */
export type HeaderValues = Record<string, Buffer | string>;

/** The headers of a row of the task. */
export type TaskHeaders = (version: RowVersion) => HeaderValues;

/** The header maker of the records of one task. */
export function taskHeaders(task: Pick<RecordHeaders, 'runId' | 'taskId' | 'syncKind' | 'runStartMs'>): TaskHeaders {
  const runId = Buffer.from(task.runId);
  const taskId = Buffer.from(task.taskId);
  const syncKind = Buffer.from(task.syncKind);
  const runStart = Buffer.from(new Date(task.runStartMs).toISOString());
  return (version) => ({
    'run-id': runId,
    'task-id': taskId,
    'sync-kind': syncKind,
    'run-start': runStart,
    'source-modifiedon': new Date(version.modifiedOnMs).toISOString(),
    'source-version': version.version,
  });
}
