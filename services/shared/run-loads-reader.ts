/**
 * Reads the loader's counts of some runs from the state DB's `run_loads` (run-loads.ts) in one query, by `_id`
 * ranges (served by the `_id` index): for `dynsync runs`, `dynsync status` and the status page, once per listing.
 */
import type { Db, Document } from 'mongodb';
import { loadsByRun, runLoadsFilter, type LoadsByRun } from '../contracts/run-counts.ts';
import { RUN_LOADS_COLLECTION } from '../contracts/run-loads.ts';

/** The loader's counts of `runIds` (run id → table → counts); none asked, no query. */
export async function readRunLoads(db: Db, runIds: readonly string[]): Promise<LoadsByRun> {
  if (runIds.length === 0) return new Map();
  const docs = await db.collection<{ _id: string } & Document>(RUN_LOADS_COLLECTION).find(runLoadsFilter(runIds), { projection: { updatedAt: 0 } }).toArray();
  return loadsByRun(docs);
}
