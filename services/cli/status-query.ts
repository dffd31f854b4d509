/**
 * The reads of `dynsync runs` and `dynsync status` on the coordinator's state DB (collections `runs` and
 * `watermarks`, the same the `watermarks` command reads; written only by the coordinator) and the loader's
 * `run_loads` (one query per listing of runs). Read-only; the per-run `produced` offsets are never fetched. State
 * documents are normalised tolerantly (run-status.ts).
 */
import type { Db, Filter } from 'mongodb';
import { readRunLoads } from '../shared/run-loads-reader.ts';
import { normalizeRun, normalizeWatermark, type RunView, type WatermarkView } from './run-status.ts';
import { STATE_COLLECTIONS } from '../contracts/run-document.ts';
import { watermarkIdRange } from '../contracts/ids.ts';

/** The collection the coordinator keeps runs in. */

/** Most runs followed at once. */
export const MAX_RUNS = 50;
const projection = { produced: 0 } as const;

/** A state document: string ids, any fields (normalised afterwards). */
type StateDoc = { _id: string } & Record<string, unknown>;

/** Read-only queries of the state DB for `status`. */
export class StatusQuery {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  private get runs() {
    return this.db.collection<StateDoc>(STATE_COLLECTIONS.runs);
  }

  /** The views of run documents, with the loader's counts of all of them read in one query. */
  private async views(docs: readonly StateDoc[]): Promise<RunView[]> {
    const loads = await readRunLoads(this.db, docs.map((d) => String(d._id)));
    return docs.map((d) => normalizeRun(d, loads.get(String(d._id))));
  }

  /** The newest runs of a connection, newest first. */
  async recent(connection: string, limit: number): Promise<RunView[]> {
    return this.views(await this.runs.find({ connection }, { projection }).sort({ startedAt: -1, _id: -1 }).limit(limit).toArray());
  }

  /** The running runs (of one connection, or of all), oldest first. */
  async running(connection?: string): Promise<RunView[]> {
    const filter: Filter<StateDoc> = { status: 'running', ...(connection === undefined ? {} : { connection }) };
    return this.views(await this.runs.find(filter, { projection }).sort({ startedAt: 1, _id: 1 }).limit(MAX_RUNS).toArray());
  }

  /** The newest run (of one connection, or of all), if any. */
  async latest(connection?: string): Promise<RunView | undefined> {
    const filter: Filter<StateDoc> = connection === undefined ? {} : { connection };
    const [run] = await this.views(await this.runs.find(filter, { projection }).sort({ startedAt: -1, _id: -1 }).limit(1).toArray());
    return run;
  }

  /** These runs, in the order of `ids` (missing ones are left out). */
  async byIds(ids: readonly string[]): Promise<RunView[]> {
    const runs = await this.views(await this.runs.find({ _id: { $in: [...ids] } }, { projection }).toArray());
    const byId = new Map(runs.map((r) => [r.runId, r]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  /** The watermarks of a connection, by table name. */
  async watermarks(connection: string): Promise<WatermarkView[]> {
    const docs = await this.db.collection<StateDoc>(STATE_COLLECTIONS.watermarks).find({ _id: watermarkIdRange(connection) }).sort({ _id: 1 }).toArray();
    return docs.map((d) => normalizeWatermark(d));
  }
}
