/**
 * What the status page is built from (pure): the state DB documents as the coordinator and the CLI write them,
 * normalised defensively (a field missing or of the wrong type becomes null, never an exception), and what the
 * Kafka admin reported. Connections are reduced to a whitelist of fields, so nothing else stored with a
 * connection (today or in a later version) can reach the page. What a run did to each table (written, unchanged,
 * tombstoned) and its delete reconciliation are computed by shared/run-counts.ts, as for the CLI.
 */
import { reconcileOutcome, tableCounts, type ReconcileOutcome, type TableCounts } from '../../../shared/run-counts.ts';
import type { LoadCounts } from '../../../shared/run-loads.ts';

/** A connection as shown (no secrets: only these fields are ever read). */
export interface ConnectionInput {
  id: string;
  orgUrl: string | null;
  flow: string | null;
  tables: 'all' | string[];
  schedule: { full: string; incremental: string; timeZone: string } | null;
  updatedAtMs: number | null;
}

/** Pending requests and schedule bookkeeping of a connection (`run_requests`). */
export interface RequestsInput {
  connection: string;
  pending: { kind: 'full' | 'incremental'; requestId: string; requestedBy: string }[];
  lastFiredMs: { full: number | null; incremental: number | null };
}

/** One table of a run (`runs.tables.<t>`, and the loader's `run_loads`); `records` are the records extracted. */
export interface RunTableInput extends Pick<TableCounts, 'written' | 'unchanged' | 'tombstoned'> {
  table: string;
  windowsDone: number;
  windowsTotal: number;
  records: number;
  fromMs: number | null;
  toMs: number | null;
  completedAtMs: number | null;
}

/** A run (`runs`). */
export interface RunInput {
  runId: string;
  connection: string;
  kind: string;
  status: string;
  requestedBy: string;
  startedAtMs: number | null;
  completedAtMs: number | null;
  failedAtMs: number | null;
  loadedAtMs: number | null;
  error: { code: string; message: string } | null;
  /** The delete reconciliation of a full run. */
  reconcile: ReconcileOutcome;
  tables: RunTableInput[];
}

/** A committed watermark (`watermarks`, `_id` = `<connection>/<table>`). */
export interface WatermarkInput {
  connection: string;
  table: string;
  watermarkMs: number | null;
  runId: string;
  updatedAtMs: number | null;
}

/** Offsets of one partition: low and high water marks, and the group's committed offset (−1 = none). */
export interface PartitionOffsets {
  partition: number;
  low: number;
  high: number;
  committed: number;
}

/** What Kafka reported, or why it could not. */
export type KafkaInput =
  | { state: 'ok'; loaderGroup: string; topics: { topic: string; partitions: PartitionOffsets[] }[]; dlq: { partition: number; low: number; high: number }[] | null }
  | { state: 'unavailable' | 'disabled'; message: string };

type Doc = Record<string, unknown>;

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'bigint' ? Number(v) : 0);
const isDoc = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Epoch ms of a Date (or a number / ISO string), else null. */
export function timeOf(v: unknown): number | null {
  const ms = v instanceof Date ? v.getTime() : typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : Number.NaN;
  return Number.isFinite(ms) ? ms : null;
}

/** A `connections` document → the whitelisted fields. */
export function connectionFromDoc(doc: Doc): ConnectionInput {
  const tables = doc.tables === 'all' ? 'all' : Array.isArray(doc.tables) ? doc.tables.filter((t): t is string => typeof t === 'string') : [];
  const s = isDoc(doc.schedule) ? doc.schedule : null;
  return {
    id: String(doc._id),
    orgUrl: str(doc.orgUrl),
    flow: str(doc.flow),
    tables,
    schedule: s ? { full: str(s.full) ?? '', incremental: str(s.incremental) ?? '', timeZone: str(s.timeZone) ?? '' } : null,
    updatedAtMs: timeOf(doc.updatedAt),
  };
}

/** A `run_requests` document → pending requests and last schedule fires. */
export function requestsFromDoc(doc: Doc): RequestsInput {
  const p = isDoc(doc.pending) ? doc.pending : {};
  const pending = (['full', 'incremental'] as const).flatMap((kind) => {
    const r = p[kind];
    return isDoc(r) ? [{ kind, requestId: str(r.requestId) ?? '', requestedBy: str(r.requestedBy) ?? '' }] : [];
  });
  const last = isDoc(doc.lastFired) ? doc.lastFired : {};
  return { connection: String(doc._id), pending, lastFiredMs: { full: timeOf(last.full), incremental: timeOf(last.incremental) } };
}

/**
 * A `runs` document → a run; `tables` may be an object keyed by table (coordinator) or an array (older CLI shape).
 * `loads` are the loader's counts of the run by table (`run_loads`).
 */
export function runFromDoc(doc: Doc, loads?: ReadonlyMap<string, LoadCounts>): RunInput {
  const raw = doc.tables;
  const entries: [string, unknown][] = Array.isArray(raw)
    ? raw.filter(isDoc).map((t) => [String(t.table), t])
    : isDoc(raw)
      ? Object.entries(raw)
      : [];
  const tables = entries
    .filter((e): e is [string, Doc] => isDoc(e[1]))
    .map(([table, t]) => {
      const { written, unchanged, tombstoned } = tableCounts(doc, table, t, loads);
      return {
        table,
        windowsDone: num(t.windowsDone),
        windowsTotal: num(t.windowsTotal),
        records: num(t.records),
        written,
        unchanged,
        tombstoned,
        fromMs: timeOf(t.from),
        toMs: timeOf(t.to),
        completedAtMs: timeOf(t.completedAt),
      };
    })
    .sort((a, b) => a.table.localeCompare(b.table));
  const err = isDoc(doc.error) ? { code: str(doc.error.code) ?? '', message: str(doc.error.message) ?? '' } : null;
  return {
    runId: String(doc._id),
    connection: str(doc.connection) ?? '',
    kind: str(doc.kind) ?? '',
    status: str(doc.status) ?? '',
    requestedBy: str(doc.requestedBy) ?? '',
    startedAtMs: timeOf(doc.startedAt),
    completedAtMs: timeOf(doc.completedAt),
    failedAtMs: timeOf(doc.failedAt),
    loadedAtMs: timeOf(doc.loadedAt),
    error: err,
    reconcile: reconcileOutcome(doc),
    tables,
  };
}

/** A `watermarks` document → connection, table and times (the id is split at its first `/`). */
export function watermarkFromDoc(doc: Doc): WatermarkInput {
  const id = String(doc._id);
  const slash = id.indexOf('/');
  return {
    connection: slash < 0 ? id : id.slice(0, slash),
    table: slash < 0 ? '' : id.slice(slash + 1),
    watermarkMs: timeOf(doc.watermark),
    runId: str(doc.runId) ?? '',
    updatedAtMs: timeOf(doc.updatedAt),
  };
}

/** Messages of a partition the group has not read yet: high − max(committed, low), never negative. */
export function partitionLag(p: PartitionOffsets): number {
  return Math.max(0, p.high - Math.max(p.committed, p.low));
}
