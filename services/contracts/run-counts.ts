/**
 * What a run did to each table, as `dynsync runs`, `dynsync status` and the status page show it (pure): records
 * extracted (the run document's `tables.<t>.records`), written and unchanged (the loader's counts in `run_loads`,
 * run-loads.ts), and tombstoned (the full run's delete reconciliation, `tombstones.<t>`, plus the delta task's
 * deletes, `tables.<t>.delta.deletes`); and the outcome of the delete reconciliation. The run document is written by
 * the coordinator (coordinator/state-store.ts `RunDoc`, checked against {@link RunCountFields} where the coordinator
 * reads it); any field may be missing in older documents and is then shown as unknown, never an error.
 */
import { addLoads, noLoads, type LoadCounts } from './run-loads.ts';

/** The fields of a run document read here (the coordinator's `RunDoc` must have them: a compile-time check). */
export interface RunCountFields {
  tables: Record<string, { records: number; delta?: { deletes: number } | null }>;
  tombstones: Record<string, number>;
  reconcile: string;
  reconcileIncomplete?: Record<string, string>;
}

/** The counts of one table of a run (null: not known yet, or not recorded by the version that ran it). */
export interface TableCounts {
  extracted: number | null;
  written: number | null;
  unchanged: number | null;
  tombstoned: number;
}

/** What a run did to the records of a table beyond extracting them. */
export type RecordOutcome = Pick<TableCounts, 'written' | 'unchanged' | 'tombstoned'>;

/** The delete reconciliation of a run: `pending`, `done`, `incomplete` (with the reason per table), `skipped`. */
export interface ReconcileOutcome {
  state: string | null;
  incomplete: { table: string; reason: string }[];
}

/** The loader's counts of several runs: run id → table → counts. */
export type LoadsByRun = Map<string, Map<string, LoadCounts>>;

type Doc = Record<string, unknown>;

const isDoc = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A count from a number, bigint or BSON Long; null otherwise. */
export function countOf(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'bigint') return Number(v);
  if (isDoc(v) && typeof v.toNumber === 'function') return (v.toNumber as () => number)();
  return null;
}

/**
 * The counts of `table` in run document `run`, whose per-table entry is `entry`; `loads` are the loader's counts
 * of the run by table. Written and unchanged are 0 for a table that extracted nothing, unknown while the loader has
 * counted nothing of a table that extracted records.
 */
export function tableCounts(run: Doc, table: string, entry: Doc, loads: ReadonlyMap<string, LoadCounts> | undefined): TableCounts {
  const extracted = countOf(entry.records);
  const load = loads?.get(table);
  const none = extracted === 0 ? 0 : null;
  const reconciled = isDoc(run.tombstones) ? (countOf(run.tombstones[table]) ?? 0) : 0;
  const delta = isDoc(entry.delta) ? (countOf(entry.delta.deletes) ?? 0) : 0;
  return { extracted, written: load ? load.written : none, unchanged: load ? load.unchanged : none, tombstoned: reconciled + delta };
}

/** The sums over a run's tables (a count unknown for every table stays unknown). */
export function totalOutcome(tables: readonly RecordOutcome[]): RecordOutcome {
  const sum = (f: (t: RecordOutcome) => number | null) => (tables.some((t) => f(t) !== null) ? tables.reduce((s, t) => s + (f(t) ?? 0), 0) : null);
  return { written: sum((t) => t.written), unchanged: sum((t) => t.unchanged), tombstoned: tables.reduce((s, t) => s + t.tombstoned, 0) };
}

/** The delete reconciliation of a run document. */
export function reconcileOutcome(run: Doc): ReconcileOutcome {
  const reasons = isDoc(run.reconcileIncomplete) ? run.reconcileIncomplete : {};
  const incomplete = Object.entries(reasons)
    .filter((e): e is [string, string] => typeof e[1] === 'string')
    .map(([table, reason]) => ({ table, reason }))
    .sort((a, b) => (a.table < b.table ? -1 : a.table > b.table ? 1 : 0));
  return { state: typeof run.reconcile === 'string' ? run.reconcile : null, incomplete };
}

/** `reconcile incomplete: account: <reason>; contact: <reason>`, or null when the reconciliation is not incomplete. */
export function reconcileNote(r: ReconcileOutcome): string | null {
  if (r.state !== 'incomplete') return null;
  return `reconcile incomplete: ${r.incomplete.map((i) => `${i.table}: ${i.reason}`).join('; ') || 'no reason recorded'}`;
}

/** The `run_loads` filter of these runs: one `_id` range per run (`<runId>/` to `<runId>0`, '0' follows '/'). */
export function runLoadsFilter(runIds: readonly string[]): { $or: { _id: { $gte: string; $lt: string } }[] } {
  return { $or: [...new Set(runIds)].map((id) => ({ _id: { $gte: `${id}/`, $lt: `${id}0` } })) };
}

/** `run_loads` documents → run id → table → counts (documents without a run id or table are skipped). */
export function loadsByRun(docs: readonly Doc[]): LoadsByRun {
  const out: LoadsByRun = new Map();
  for (const d of docs) {
    if (typeof d.runId !== 'string' || typeof d.table !== 'string') continue;
    const tables = out.get(d.runId) ?? new Map<string, LoadCounts>();
    const counts = (['written', 'deleted', 'unchanged', 'older', 'dead'] as const).map((k) => [k, countOf(d[k]) ?? 0]);
    tables.set(d.table, addLoads(tables.get(d.table) ?? noLoads(), Object.fromEntries(counts)));
    out.set(d.runId, tables);
  }
  return out;
}
