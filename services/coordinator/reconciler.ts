/**
 * Delete reconciliation of a completed and loaded FULL run (DESIGN.md §5): documents of each table whose
 * `_sync.runStart` is before the run's T0 and that are not deleted were not seen by the run. With verification on,
 * ids that Dataverse still returns are kept (a row modified after T0 falls outside the full run's range but is
 * not deleted); the others get a tombstone on `dynamics.<connection>.<table>`, which the loader turns into a soft
 * delete. Producing a tombstone twice is harmless (Invariant 4), so a crash mid-way only causes replay.
 */
import type { Db } from 'mongodb';
import type { MessageSender } from '../shared/healing-producer.ts';
import { tableTopic } from '../shared/kafka.ts';
import type { Logger } from '../shared/log.ts';
import type { Connection } from '../dataverse/connections/connection.ts';
import { tombstoneFor, unseenFilter, versionOf } from './core/tombstone.ts';
import type { DataverseAccess } from './dataverse-access.ts';

/** Reconciliation settings and dependencies. */
export interface ReconcilerDeps {
  db: (name: string) => Db;
  databasePrefix: string;
  producer: MessageSender;
  dataverse: DataverseAccess;
  verify: boolean;
  log: Logger;
  onTombstones?: (table: string, n: number) => void;
}

const BATCH = 50;

/** Reconciles `tables` of a full run; returns the tombstones produced per table. */
export async function reconcileDeletes(deps: ReconcilerDeps, connection: Connection, run: { runId: string; runStartMs: number }, tables: readonly string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of tables) {
    const coll = deps.db(`${deps.databasePrefix}${connection.id}`).collection<{ _id: string; _sync?: { version?: unknown; modifiedon?: Date } }>(table);
    const cursor = coll.find(unseenFilter(run.runStartMs), { projection: { '_sync.version': 1, '_sync.modifiedon': 1 }, batchSize: 500 });
    let batch: { id: string; version: bigint; modifiedOnMs: number }[] = [];
    let produced = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      const alive = deps.verify ? await deps.dataverse.existingIds(connection, table, batch.map((d) => d.id)) : new Set<string>();
      const gone = batch.filter((d) => !alive.has(d.id));
      batch = [];
      if (gone.length === 0) return;
      await deps.producer.send({ topic: tableTopic(connection.id, table), acks: -1, messages: gone.map((d) => tombstoneFor(d, run, table)) });
      produced += gone.length;
      deps.onTombstones?.(table, gone.length);
    };
    for await (const doc of cursor) {
      const version = versionOf(doc._sync?.version);
      const modifiedon = doc._sync?.modifiedon;
      if (version === null || !(modifiedon instanceof Date)) {
        deps.log.warn({ table, id: String(doc._id).slice(0, 64) }, 'reconciliation skipped a document without _sync.version/modifiedon');
        continue;
      }
      batch.push({ id: String(doc._id), version, modifiedOnMs: modifiedon.getTime() });
      if (batch.length >= BATCH) await flush();
    }
    await flush();
    out[table] = produced;
    if (produced > 0) deps.log.info({ runId: run.runId, table, tombstones: produced }, 'full run reconciled deletes');
  }
  return out;
}
