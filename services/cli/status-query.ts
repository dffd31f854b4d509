/**
 * The reads of `dynsync status` on the coordinator's state DB (collections `runs` and `watermarks`, the same the
 * `runs` and `watermarks` commands read; written only by the coordinator). Read-only; the per-run `produced`
 * offsets are never fetched. StateDocs are normalised tolerantly (run-status.ts).
 */
import type { Db, Filter } from 'mongodb';
import { RUNS_COLLECTION } from './commands/runs.ts';
import { WATERMARKS_COLLECTION } from './commands/watermarks.ts';
import { normalizeRun, normalizeWatermark, watermarkIdRange, type RunView, type WatermarkView } from './run-status.ts';

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
    return this.db.collection<StateDoc>(RUNS_COLLECTION);
  }

  /** The running runs (of one connection, or of all), oldest first. */
  async running(connection?: string): Promise<RunView[]> {
    const filter: Filter<StateDoc> = { status: 'running', ...(connection === undefined ? {} : { connection }) };
    const docs = await this.runs.find(filter, { projection }).sort({ startedAt: 1, _id: 1 }).limit(MAX_RUNS).toArray();
    return docs.map(normalizeRun);
  }

  /** The newest run (of one connection, or of all), if any. */
  async latest(connection?: string): Promise<RunView | undefined> {
    const filter: Filter<StateDoc> = connection === undefined ? {} : { connection };
    const [doc] = await this.runs.find(filter, { projection }).sort({ startedAt: -1, _id: -1 }).limit(1).toArray();
    return doc ? normalizeRun(doc) : undefined;
  }

  /** These runs, in the order of `ids` (missing ones are left out). */
  async byIds(ids: readonly string[]): Promise<RunView[]> {
    const docs = await this.runs.find({ _id: { $in: [...ids] } }, { projection }).toArray();
    const byId = new Map(docs.map((d) => [String(d._id), normalizeRun(d)]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  /** The watermarks of a connection, by table name. */
  async watermarks(connection: string): Promise<WatermarkView[]> {
    const docs = await this.db.collection<StateDoc>(WATERMARKS_COLLECTION).find({ _id: watermarkIdRange(connection) }).sort({ _id: 1 }).toArray();
    return docs.map((d) => normalizeWatermark(d, connection));
  }
}
