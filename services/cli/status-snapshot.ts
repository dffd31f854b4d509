/**
 * The model of `dynsync status`: runs read from the state DB plus the history of earlier readings → one
 * {@link StatusSnapshot} with fraction, rate and ETA per run and table. It is also the documented `--json` shape
 * (unknown values are `null`, times ISO 8601 strings). Pure: the reading time is an argument.
 */
import type { ReconcileOutcome, TableCounts } from '../contracts/run-counts.ts';
import { measure, observe, type Counts, type History, type Progress } from '../shared/run-progress.ts';
import type { RunTableView, RunView, WatermarkView } from './run-status.ts';

/** Progress of one table of a run: records extracted, and written, unchanged, tombstoned (services/contracts/run-counts.ts). */
export interface TableStatus extends Pick<TableCounts, 'written' | 'unchanged' | 'tombstoned'> {
  table: string;
  windowsDone: number | null;
  windowsTotal: number | null;
  records: number | null;
  /** windowsDone / windowsTotal (0..1), null while unplanned. */
  fraction: number | null;
  recordsPerSec: number | null;
  /** 0 when every window is done; null when unknown or the run stopped. */
  etaSeconds: number | null;
}

/** One run with its totals and tables. */
export interface RunStatus extends Omit<TableStatus, 'table'> {
  runId: string;
  connection: string | null;
  kind: string | null;
  /** `running`, `completed`, `loaded` (completed and loaded into MongoDB), `failed`. */
  status: string | null;
  startedAt: string | null;
  completedAt: string | null;
  failedAt: string | null;
  loadedAt: string | null;
  /** `code: message` of a failed run. */
  error: string | null;
  /** The delete reconciliation of a full run: `state` (pending, done, incomplete, skipped) and the reasons of an incomplete one. */
  reconcile: ReconcileOutcome;
  /** From the start to the end of the run, or to the reading while it runs. */
  elapsedSeconds: number | null;
  tables: TableStatus[];
}

/** A watermark of a shown connection. */
export interface WatermarkStatus {
  connection: string;
  table: string;
  watermark: string | null;
  runId: string | null;
  updatedAt: string | null;
}

/** What `status` shows at one reading (one `--json` object or NDJSON line). */
export interface StatusSnapshot {
  /** The reading time (the CLI's clock). */
  at: string;
  /** True while a shown run is running. */
  active: boolean;
  runs: RunStatus[];
  /** The watermarks of the shown runs' connections; present only when no shown run is running. */
  watermarks?: WatermarkStatus[];
}

/** Whether a run status means the run can still make progress. */
export const isRunning = (status: string | null | undefined): boolean => status === 'running';

/** 1 when a shown run failed, else 0 (completed, loaded, still running, or none). */
export function statusExitCode(s: StatusSnapshot): number {
  return s.runs.some((r) => r.status === 'failed') ? 1 : 0;
}

const iso = (d: Date | undefined) => d?.toISOString() ?? null;
const seconds = (ms: number | null) => (ms === null ? null : Math.round(ms / 1000));
const counts = (c: { windowsDone?: number; windowsTotal?: number; records?: number }): Counts => ({ windowsDone: c.windowsDone ?? 0, windowsTotal: c.windowsTotal ?? 0, records: c.records ?? 0 });
const shown = (p: Progress) => ({ fraction: p.fraction, recordsPerSec: p.recordsPerSec, etaSeconds: seconds(p.etaMs) });

/**
 * The snapshot of `runs` read at `nowMs`, and the history to pass to the next call (start with an empty map).
 * `watermarks` (connection → its watermarks) are shown only when no run is running.
 */
export function buildSnapshot(
  runs: readonly RunView[],
  history: History,
  nowMs: number,
  watermarks?: ReadonlyMap<string, readonly WatermarkView[]>,
): { snapshot: StatusSnapshot; history: History } {
  const readings = new Map<string, Counts>();
  for (const r of runs) {
    readings.set(r.runId, counts(r));
    for (const t of r.tables) readings.set(`${r.runId}/${t.table}`, counts(t));
  }
  const next = observe(history, readings, nowMs);
  /** The counts of a run or of one of its tables (`key`), with their fraction, rate and ETA. */
  const progress = (key: string, c: Omit<RunTableView, 'table'>, r: RunView): Omit<TableStatus, 'table'> => ({
    windowsDone: c.windowsDone ?? null,
    windowsTotal: c.windowsTotal ?? null,
    records: c.records ?? null,
    written: c.written,
    unchanged: c.unchanged,
    tombstoned: c.tombstoned,
    ...shown(measure(counts(c), next.get(key) ?? [], nowMs, r.startedAt?.getTime(), isRunning(r.status))),
  });
  const views: RunStatus[] = runs.map((r) => {
    const end = r.completedAt ?? r.failedAt ?? (isRunning(r.status) ? new Date(nowMs) : undefined);
    return {
      runId: r.runId,
      connection: r.connection ?? null,
      kind: r.kind ?? null,
      status: r.status ?? null,
      startedAt: iso(r.startedAt),
      completedAt: iso(r.completedAt),
      failedAt: iso(r.failedAt),
      loadedAt: iso(r.loadedAt),
      error: r.error ?? null,
      reconcile: r.reconcile,
      elapsedSeconds: r.startedAt && end ? seconds(Math.max(0, end.getTime() - r.startedAt.getTime())) : null,
      ...progress(r.runId, r, r),
      tables: r.tables.map((t) => ({ table: t.table, ...progress(`${r.runId}/${t.table}`, t, r) })),
    };
  });
  const active = views.some((r) => isRunning(r.status));
  const snapshot: StatusSnapshot = { at: new Date(nowMs).toISOString(), active, runs: views };
  if (!active && watermarks) {
    snapshot.watermarks = [...watermarks].flatMap(([connection, marks]) =>
      marks.map((m) => ({ connection, table: m.table, watermark: iso(m.watermark), runId: m.runId ?? null, updatedAt: iso(m.updatedAt) })),
    );
  }
  return { snapshot, history: next };
}
