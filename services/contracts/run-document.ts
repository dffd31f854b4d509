/**
 * The coordinator's state DB as the other readers see it (architecture.md §4): the collections, the shape of a run
 * document (`runs`, written by coordinator/state-store.ts) and of a watermark (`watermarks`), and the one tolerant
 * reading of both that `dynsync runs`/`status`/`watermarks` and the status page share. A reader may be older or
 * younger than the coordinator that wrote a document, so a field that is missing or of an unexpected type is read
 * as unknown (null), never an exception. Pure.
 */
import type { SyncKind } from './control-messages.ts';
import { countOf, reconcileOutcome, tableCounts, type ReconcileOutcome, type TableCounts } from './run-counts.ts';
import type { LoadCounts } from './run-loads.ts';
import { parseWatermarkId } from './ids.ts';

/** The collections of the state DB. */
export const STATE_COLLECTIONS = {
  runs: 'runs',
  watermarks: 'watermarks',
  deltaLinks: 'delta_links',
  runRequests: 'run_requests',
} as const;

/** Status of a run in the runs collection. */
export type RunStatus = 'running' | 'completed' | 'failed' | 'loaded';

/** The highest offset + 1 a run's completed tasks produced to one topic partition. */
export interface ProducedOffset {
  topic: string;
  partition: number;
  offset: number;
}

/** A run document as the coordinator writes it. */
export interface RunDoc {
  _id: string;
  connection: string;
  kind: SyncKind;
  status: RunStatus;
  requestedBy: string;
  runStart: Date;
  startedAt: Date;
  completedAt: Date | null;
  failedAt: Date | null;
  loadedAt: Date | null;
  error: { code: string; message: string } | null;
  tables: Record<string, {
    windowsDone: number;
    windowsTotal: number;
    records: number;
    from: Date;
    to: Date;
    completedAt: Date | null;
    /** Change-tracked tables: the delta task's state (`expired` = the table fell back to a full run) and its tombstones. */
    delta?: { status: 'pending' | 'completed' | 'expired'; deletes: number } | null;
  }>;
  /** Tables whose delta token expired, with the full run requested for each (run id). */
  deltaFallbacks?: Record<string, string>;
  produced: ProducedOffset[];
  /**
   * Delete reconciliation of a full run: pending until loaded, then done (tombstones per table), incomplete (a part
   * of a table concluded nothing: `reconcileIncomplete` says why) or skipped.
   */
  reconcile: 'pending' | 'done' | 'incomplete' | 'skipped';
  tombstones: Record<string, number>;
  reconcileIncomplete?: Record<string, string>;
  reconciledAt?: Date | null;
  updatedAt: Date;
}

/** A watermark document (`_id` = contracts/ids.ts `watermarkId`). */
export interface WatermarkDoc {
  _id: string;
  watermark: Date;
  runId: string;
  updatedAt: Date;
}

/** One table of a run as read; `records` are the records extracted (null: unknown). */
export interface RunTableRecord extends Pick<TableCounts, 'written' | 'unchanged' | 'tombstoned'> {
  table: string;
  windowsDone: number | null;
  windowsTotal: number | null;
  records: number | null;
  fromMs: number | null;
  toMs: number | null;
  completedAtMs: number | null;
}

/** A run as read. */
export interface RunRecord {
  runId: string;
  connection: string | null;
  kind: string | null;
  status: string | null;
  requestedBy: string | null;
  startedAtMs: number | null;
  completedAtMs: number | null;
  failedAtMs: number | null;
  loadedAtMs: number | null;
  error: { code: string | null; message: string | null } | null;
  /** The delete reconciliation of a full run. */
  reconcile: ReconcileOutcome;
  /** Sorted by table name. */
  tables: RunTableRecord[];
}

/** A watermark as read. */
export interface WatermarkRecord {
  connection: string;
  table: string;
  watermarkMs: number | null;
  runId: string | null;
  updatedAtMs: number | null;
}

type Doc = Record<string, unknown>;

const isDoc = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** Epoch ms of a Date (or a number / ISO string), else null. */
export function timeOf(v: unknown): number | null {
  const ms = v instanceof Date ? v.getTime() : typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : Number.NaN;
  return Number.isFinite(ms) ? ms : null;
}

/** The per-table entries of a run: an object keyed by table (`{account: {...}}`) or an array `[{table, ...}]`. */
function tableEntries(raw: unknown): [string, Doc][] {
  const entries: [string, unknown][] = Array.isArray(raw) ? raw.filter(isDoc).map((t) => [text(t.table) ?? '?', t]) : isDoc(raw) ? Object.entries(raw) : [];
  return entries.filter((e): e is [string, Doc] => isDoc(e[1])).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function tableRecord(doc: Doc, table: string, t: Doc, loads: ReadonlyMap<string, LoadCounts> | undefined): RunTableRecord {
  const { written, unchanged, tombstoned } = tableCounts(doc, table, t, loads);
  return {
    table,
    windowsDone: countOf(t.windowsDone),
    windowsTotal: countOf(t.windowsTotal),
    records: countOf(t.records),
    written,
    unchanged,
    tombstoned,
    fromMs: timeOf(t.from),
    toMs: timeOf(t.to),
    completedAtMs: timeOf(t.completedAt),
  };
}

/** A `runs` document → {@link RunRecord}; `loads` are the loader's counts of the run by table (`run_loads`). */
export function readRun(doc: Doc, loads?: ReadonlyMap<string, LoadCounts>): RunRecord {
  const error = isDoc(doc.error) ? { code: text(doc.error.code), message: text(doc.error.message) } : null;
  return {
    runId: text(doc._id) ?? text(doc.runId) ?? String(doc._id ?? '?'),
    connection: text(doc.connection),
    kind: text(doc.kind),
    status: text(doc.status),
    requestedBy: text(doc.requestedBy),
    startedAtMs: timeOf(doc.startedAt),
    completedAtMs: timeOf(doc.completedAt),
    failedAtMs: timeOf(doc.failedAt),
    loadedAtMs: timeOf(doc.loadedAt),
    error,
    reconcile: reconcileOutcome(doc),
    tables: tableEntries(doc.tables).map(([table, t]) => tableRecord(doc, table, t, loads)),
  };
}

/** A `watermarks` document → {@link WatermarkRecord} (connection and table from its `_id`). */
export function readWatermark(doc: Doc): WatermarkRecord {
  return {
    ...parseWatermarkId(String(doc._id ?? '')),
    watermarkMs: timeOf(doc.watermark),
    runId: text(doc.runId),
    updatedAtMs: timeOf(doc.updatedAt),
  };
}
