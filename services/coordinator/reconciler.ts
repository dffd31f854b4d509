/**
 * Delete reconciliation of a completed and loaded FULL run (architecture.md §5, Invariant 8), by comparing id sets: for
 * each table, the stored documents modified before the run's T0 against the ids Dataverse lists for the same
 * `modifiedon` windows (services/dataverse/compare). A stored document the source did not list is a candidate;
 * its id is asked for once more (a row modified after T0 moved out of its window, it is not deleted), and only the
 * candidates that answer is without get a tombstone on `dynamics.<connection>.<table>`, which the loader turns into a
 * soft delete. A window whose listing failed, was throttled away or held a row without its primary id concludes
 * nothing: its candidates are not tombstoned and the table's outcome says why. Producing a tombstone twice is
 * harmless (Invariant 4), so a crash mid-way only causes replay.
 */
import type { Db } from 'mongodb';
import { toSyncError } from '../shared/errors.ts';
import type { MessageSender } from '../shared/healing-producer.ts';
import type { Logger } from '../shared/log.ts';
import { tableDatabase } from '../contracts/stored-document.ts';
import type { Connection } from '../dataverse/connections/connection.ts';
import { scanTable } from '../dataverse/compare/id-set-scan.ts';
import type { StoredRow } from '../dataverse/compare/windows.ts';
import { tombstoneFor } from './core/tombstone.ts';
import type { DataverseAccess } from './dataverse-access.ts';
import { tableTopic } from '../contracts/topic-names.ts';

/** Reconciliation settings and dependencies. */
export interface ReconcilerDeps {
  db: (name: string) => Db;
  databasePrefix: string;
  producer: MessageSender;
  dataverse: DataverseAccess;
  log: Logger;
  onTombstones?: (table: string, n: number) => void;
}

/** What reconciling one table did. */
export interface TableReconcile {
  tombstoned: number;
  /** Stored documents the listing did not have (asked for again before any tombstone). */
  candidates: number;
  windows: number;
  /** Set when a part of the table concluded nothing (a listing or a check failed): the reason. */
  incomplete?: string;
}

/** Ids asked for per existence check (one request each). */
const CHECK_BATCH = 50;
/** Failed windows in a row after which a table is left for the next full run. */
const GIVE_UP_AFTER = 3;

/** Tombstones the candidates that Dataverse no longer has; returns how many. */
async function tombstoneGone(deps: ReconcilerDeps, connection: Connection, run: { runId: string; runStartMs: number }, table: string, candidates: readonly StoredRow[]): Promise<number> {
  let produced = 0;
  for (let i = 0; i < candidates.length; i += CHECK_BATCH) {
    const batch = candidates.slice(i, i + CHECK_BATCH);
    const alive = await deps.dataverse.existingIds(connection, table, batch.map((d) => d.id));
    const gone = batch.filter((d) => !alive.has(d.id));
    if (gone.length === 0) continue;
    await deps.producer.send({ topic: tableTopic(connection.id, table), acks: -1, messages: gone.map((d) => tombstoneFor(d, run, table)) });
    produced += gone.length;
    deps.onTombstones?.(table, gone.length);
  }
  return produced;
}

/** Reconciles one table of a full run. */
async function reconcileTable(deps: ReconcilerDeps, connection: Connection, run: { runId: string; runStartMs: number }, table: string): Promise<TableReconcile> {
  const out: TableReconcile = { tombstoned: 0, candidates: 0, windows: 0 };
  const target = await deps.dataverse.scanTarget(connection, table);
  if (!target) return { ...out, incomplete: `table ${table} is not in the organisation's metadata: nothing is concluded about its rows` };
  const coll = deps.db(tableDatabase(deps.databasePrefix, connection.id)).collection(table);
  const client = await deps.dataverse.client(connection);
  let failedInRow = 0;
  for await (const w of scanTable(coll, client, { ...target, versions: false }, { beforeMs: run.runStartMs })) {
    out.windows++;
    if (!w.ok) {
      // Invariant 8: a listing that failed concludes nothing about the window's documents
      out.incomplete = `${w.stored} documents not compared: ${w.error.message}`;
      if (++failedInRow >= GIVE_UP_AFTER) break;
      continue;
    }
    failedInRow = 0;
    out.candidates += w.comparison.extra.length;
    try {
      out.tombstoned += await tombstoneGone(deps, connection, run, table, w.comparison.extra);
    } catch (err) {
      out.incomplete = `the existence check of ${w.comparison.extra.length} documents failed: ${toSyncError(err).message}`;
    }
  }
  return out;
}

/** Reconciles `tables` of a full run; returns what it did per table. */
export async function reconcileDeletes(deps: ReconcilerDeps, connection: Connection, run: { runId: string; runStartMs: number }, tables: readonly string[]): Promise<Record<string, TableReconcile>> {
  const out: Record<string, TableReconcile> = {};
  for (const table of tables) {
    const r = await reconcileTable(deps, connection, run, table);
    out[table] = r;
    const fields = { runId: run.runId, table, tombstones: r.tombstoned, candidates: r.candidates, windows: r.windows };
    if (r.incomplete) deps.log.warn({ ...fields, reason: r.incomplete }, 'delete reconciliation incomplete: the documents it could not compare keep their state until the next full run');
    else if (r.tombstoned > 0) deps.log.info(fields, 'full run reconciled deletes');
  }
  return out;
}
