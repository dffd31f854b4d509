/**
 * Writes the loader's counts of a run's table into `run_loads` the way the loader does after each chunk (one `$inc`
 * upsert, services/contracts/run-loads.ts), for tests of what reads them (`dynsync runs` / `status`, the status page).
 */
import type { Db } from 'mongodb';
import { RUN_LOADS_COLLECTION, runLoadId, type LoadCounts, type RunLoadDoc } from '../../services/contracts/run-loads.ts';

/** Adds `counts` to the counts of `table` in run `runId`. */
export async function addRunLoads(db: Db, run: { runId: string; connection: string }, table: string, counts: Partial<LoadCounts>, at = new Date()): Promise<void> {
  const inc = { written: 0, deleted: 0, unchanged: 0, older: 0, dead: 0, ...counts };
  await db.collection<RunLoadDoc>(RUN_LOADS_COLLECTION).updateOne({ _id: runLoadId(run.runId, table) }, { $inc: inc, $set: { ...run, table, updatedAt: at } }, { upsert: true });
}
