/**
 * Reading the coordinator's state documents for `dynsync runs` and `dynsync watermarks`, tolerantly: the
 * coordinator is younger than this CLI, so any field may be missing or of an unexpected type, and is then shown
 * as unknown rather than failing. Pure.
 */
import { toDate } from './format.ts';

/** Per-table progress of a run. */
export interface RunTableView {
  table: string;
  windowsDone: number | undefined;
  windowsTotal: number | undefined;
  records: number | undefined;
}

/** A run as the CLI shows it. */
export interface RunView {
  runId: string;
  connection: string | undefined;
  kind: string | undefined;
  status: string | undefined;
  startedAt: Date | undefined;
  completedAt: Date | undefined;
  failedAt: Date | undefined;
  loadedAt: Date | undefined;
  /** `code: message` of a failed run. */
  error: string | undefined;
  tables: RunTableView[];
  /** Sums over the tables (undefined when no table reports the field). */
  windowsDone: number | undefined;
  windowsTotal: number | undefined;
  records: number | undefined;
}

/** A table's watermark. */
export interface WatermarkView {
  table: string;
  watermark: Date | undefined;
  runId: string | undefined;
  updatedAt: Date | undefined;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'bigint' ? Number(v) : isLong(v) ? v.toNumber() : undefined);
const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const sum = (vals: (number | undefined)[]): number | undefined => (vals.some((x) => x !== undefined) ? vals.reduce<number>((a, b) => a + (b ?? 0), 0) : undefined);

function isLong(v: unknown): v is { toNumber(): number } {
  return typeof v === 'object' && v !== null && typeof (v as { toNumber?: unknown }).toNumber === 'function';
}

/**
 * The per-table entries of a run, in either shape: an array `[{table, ...}]` or an object keyed by table name
 * (`{account: {...}}`), sorted by table name in the latter case. Anything else gives no entries.
 */
function tableEntries(raw: unknown): [string, Record<string, unknown>][] {
  const isObj = (t: unknown): t is Record<string, unknown> => typeof t === 'object' && t !== null && !Array.isArray(t);
  if (Array.isArray(raw)) return raw.filter(isObj).map((t) => [text(t.table) ?? '?', t]);
  if (isObj(raw)) return Object.entries(raw).filter((e): e is [string, Record<string, unknown>] => isObj(e[1])).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return [];
}

/** A `runs` document → {@link RunView}. */
export function normalizeRun(doc: Record<string, unknown>): RunView {
  const tables = tableEntries(doc.tables).map(([name, t]) => ({ table: name, windowsDone: num(t.windowsDone), windowsTotal: num(t.windowsTotal), records: num(t.records) }));
  const error = typeof doc.error === 'object' && doc.error !== null ? (doc.error as Record<string, unknown>) : undefined;
  return {
    runId: text(doc._id) ?? text(doc.runId) ?? String(doc._id ?? '?'),
    connection: text(doc.connection),
    kind: text(doc.kind),
    status: text(doc.status),
    startedAt: toDate(doc.startedAt),
    completedAt: toDate(doc.completedAt),
    failedAt: toDate(doc.failedAt),
    loadedAt: toDate(doc.loadedAt),
    error: error ? [text(error.code), text(error.message)].filter(Boolean).join(': ') || undefined : undefined,
    tables,
    windowsDone: sum(tables.map((t) => t.windowsDone)),
    windowsTotal: sum(tables.map((t) => t.windowsTotal)),
    records: sum(tables.map((t) => t.records)),
  };
}

/** A `watermarks` document (`_id` = `<connection>/<table>`) → {@link WatermarkView}. */
export function normalizeWatermark(doc: Record<string, unknown>, connection: string): WatermarkView {
  const id = String(doc._id ?? '');
  const prefix = `${connection}/`;
  return {
    table: text(doc.table) ?? (id.startsWith(prefix) ? id.slice(prefix.length) : id),
    watermark: toDate(doc.watermark),
    runId: text(doc.runId),
    updatedAt: toDate(doc.updatedAt),
  };
}

/** The `_id` range of a connection's watermarks: `[<connection>/, <connection>0)` ('0' follows '/'). */
export function watermarkIdRange(connection: string): { $gte: string; $lt: string } {
  return { $gte: `${connection}/`, $lt: `${connection}0` };
}
