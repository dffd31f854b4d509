/**
 * The tombstones of a full run's delete reconciliation (pure). A stored document whose row Dataverse no longer has
 * (reconciler.ts) gets a tombstone (null value) with the record headers, carrying the stored version and modifiedon
 * and the reconciling run's T0: for the loader it is the same version with other content read by a later run, so it
 * replaces the document with a soft delete (services/loader/core/write-decision.ts).
 *
 * The message itself is built by services/contracts/tombstone.ts (shared with the extractor's delta tasks, which
 * version theirs with the delta token).
 */
import { tombstoneRecord, type TombstoneMessage } from '../../contracts/tombstone.ts';
import { reconcileTaskId } from '../../contracts/ids.ts';

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
