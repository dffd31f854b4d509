/**
 * Delete reconciliation of a full run (pure parts). After a FULL run is completed and loaded, a document of the
 * table whose `_sync.runStart` is before the run's T0 and that is not already deleted was not seen by the run: its
 * record no longer exists in Dataverse. It gets a tombstone (null value) with the record headers, carrying the
 * stored version and modifiedon and this run's T0, so the loader's version guard accepts it (same version, newer
 * run start) and turns it into a soft delete.
 *
 * The message itself is built by services/shared/tombstone.ts (shared with the extractor's delta tasks, which
 * version theirs with the delta token).
 */
import { tombstoneRecord, type TombstoneMessage } from '../../shared/tombstone.ts';

/** What reconciliation reads of a stored document. */
export interface StoredDocument {
  id: string;
  version: bigint;
  modifiedOnMs: number;
}

/** The run that reconciles. */
export interface ReconcilingRun {
  runId: string;
  runStartMs: number;
}

/** The MongoDB filter of documents not seen by a full run that started at `runStartMs`. */
export function unseenFilter(runStartMs: number): Record<string, unknown> {
  return { '_sync.runStart': { $lt: new Date(runStartMs) }, '_sync.deleted': { $ne: true } };
}

/** The task id written in the headers of reconciliation tombstones. */
export function reconcileTaskId(runId: string, table: string): string {
  return `${runId}/${table}/reconcile`;
}

/** The tombstone message of one unseen document. */
export function tombstoneFor(doc: StoredDocument, run: ReconcilingRun, table: string): TombstoneMessage {
  return tombstoneRecord(doc.id, {
    runId: run.runId,
    taskId: reconcileTaskId(run.runId, table),
    syncKind: 'full',
    runStartMs: run.runStartMs,
    modifiedOnMs: doc.modifiedOnMs,
    version: doc.version,
  });
}

/** Reads a stored version (`_sync.version`: a number, a bson Long, a bigint or decimal text) as a bigint, or null. */
export function versionOf(raw: unknown): bigint | null {
  if (typeof raw === 'bigint') return raw;
  if (typeof raw === 'number' && Number.isInteger(raw)) return BigInt(raw);
  const text = raw === null || raw === undefined ? '' : String(raw);
  return /^-?\d{1,19}$/.test(text) ? BigInt(text) : null;
}
