/**
 * The Kafka headers every table record carries (architecture.md §4), written by the extractor and read by the loader
 * and by downstream consumers. Tombstones carry them too, which is how a delete has a version. Pure.
 *
 * | header | value |
 * |---|---|
 * | `run-id` | the run that extracted the record |
 * | `task-id` | the window task that extracted it |
 * | `sync-kind` | `full` or `incremental` |
 * | `run-start` | the run's T0, ISO 8601 UTC |
 * | `source-modifiedon` | Dataverse `modifiedon`, ISO 8601 UTC |
 * | `source-version` | Dataverse `versionnumber`, decimal integer |
 */
import { SyncError } from '../shared/errors.ts';

/** What the headers say about a record. */
export interface RecordHeaders {
  runId: string;
  taskId: string;
  syncKind: 'full' | 'incremental';
  runStartMs: number;
  modifiedOnMs: number;
  version: bigint;
}

/** Header values as kafkajs delivers them. */
export type RawHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

/** The header map to produce with a record. */
export function encodeRecordHeaders(h: RecordHeaders): Record<string, string> {
  return {
    'run-id': h.runId,
    'task-id': h.taskId,
    'sync-kind': h.syncKind,
    'run-start': new Date(h.runStartMs).toISOString(),
    'source-modifiedon': new Date(h.modifiedOnMs).toISOString(),
    'source-version': h.version.toString(),
  };
}

function text(headers: RawHeaders | undefined, name: string): string {
  const raw = headers?.[name];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined) throw new SyncError('RECORD_INVALID', `record header "${name}" is missing`, { details: { header: name } });
  return value.toString();
}

function time(headers: RawHeaders | undefined, name: string): number {
  const v = text(headers, name);
  const ms = Date.parse(v);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(v) || Number.isNaN(ms)) {
    throw new SyncError('RECORD_INVALID', `record header "${name}" is not an ISO 8601 time: "${v.slice(0, 40)}"`, { details: { header: name } });
  }
  return ms;
}

/** Parses and validates the headers of a record; throws RECORD_INVALID naming the bad header. */
export function decodeRecordHeaders(headers: RawHeaders | undefined): RecordHeaders {
  const kind = text(headers, 'sync-kind');
  if (kind !== 'full' && kind !== 'incremental') {
    throw new SyncError('RECORD_INVALID', `record header "sync-kind" must be full or incremental, not "${kind.slice(0, 40)}"`);
  }
  const version = text(headers, 'source-version');
  if (!/^-?\d{1,19}$/.test(version)) {
    throw new SyncError('RECORD_INVALID', `record header "source-version" is not an integer: "${version.slice(0, 40)}"`);
  }
  return {
    runId: text(headers, 'run-id'),
    taskId: text(headers, 'task-id'),
    syncKind: kind,
    runStartMs: time(headers, 'run-start'),
    modifiedOnMs: time(headers, 'source-modifiedon'),
    version: BigInt(version),
  };
}
