/**
 * Run planning (pure): from Dataverse's server time, the tables' watermarks and the previous runs' window counts
 * to the RunStarted plan and the SyncTasks to publish (architecture.md §5, the seed's rule: "refresh all records
 * modified since the start of the last successful import").
 *
 * - T0 = server time − safety lag, truncated to whole seconds.
 * - full run: `[beginning, T0)`; incremental: `[watermark − overlap, T0)`; a table without a watermark gets the
 *   full range whatever the kind.
 * - windows sized by what is known of the table's rows (`size`, core/table-sizing.ts): none for a range known to
 *   hold nothing to read, one window read in one go (`expectedRows`, no probe) for a range that fits in one page,
 *   else `rows / windowRows` windows (equal-count from the previous run's counts, else geometric), probed and split
 *   by the extractor. Without `size`, up to `targetWindows` probed windows.
 * - a table given `delta` also gets one delta task, even when it has no window: it consumes the stored delta link
 *   (deletes since the previous run) or takes a new one. It is published first, so its change-tracking snapshot is
 *   taken as early as possible. Except for a table without a link whose range is one window read in one go: that
 *   window takes the link itself (`takeDeltaLink`, core/delta-task.ts), one read of the table instead of two.
 */
import type { SyncKind, SyncTask, TablePlan } from '../../contracts/control-messages.ts';
import { deltaTaskId, linkedWindowTaskId } from './delta-task.ts';
import { rootTaskId } from './task-id.ts';
import { windowWork, type RangeRows, type SizingOptions } from './table-sizing.ts';
import { FULL_RANGE_START_MS, floorToSecond, planWindows, type Window, type WindowCount, type WindowOptions } from './windows.ts';

/** What is known of one table when a run is planned. */
export interface TableInput {
  table: string;
  /** The committed watermark (epoch ms), null when the table was never synced. */
  watermarkMs: number | null;
  /** Per-window counts of the previous run of the same kind (empty when none). */
  history: readonly WindowCount[];
  /** Change-tracked table: its delta task consumes `link` (null: takes a new link). Absent/null: no delta task. */
  delta?: { link: string | null } | null;
  /** What is known of the rows of the table's range (absent: nothing, `targetWindows` probed windows). */
  size?: RangeRows;
}

/** Planning settings. */
export interface PlanOptions extends WindowOptions, Omit<SizingOptions, 'targetWindows'> {
  safetyLagMs: number;
  overlapMs: number;
}

/** The windows of one table's range, and the rows expected in each when it is read without a probe. */
function tableWindows(fromMs: number, toMs: number, t: TableInput, opts: PlanOptions): { windows: Window[]; expectedRows: number | null } {
  if (toMs <= fromMs) return { windows: [], expectedRows: null };
  const work = windowWork(t.size ?? { kind: 'unknown' }, opts);
  if (work.kind === 'none') return { windows: [], expectedRows: null };
  if (work.kind === 'single') return { windows: [{ fromMs, toMs }], expectedRows: work.expectedRows };
  return { windows: planWindows(fromMs, toMs, t.history, { ...opts, targetWindows: work.windows }), expectedRows: null };
}

/** One run to plan. */
export interface RunInput {
  runId: string;
  connection: string;
  kind: SyncKind;
  requestedBy: string;
  /** Dataverse's clock at run start (the Date header of WhoAmI), epoch ms. */
  serverTimeMs: number;
  tables: readonly TableInput[];
}

/** The plan: the RunStarted body's content and the tasks, in publishing order. */
export interface RunPlan {
  runStartMs: number;
  tables: TablePlan[];
  tasks: SyncTask[];
}

/** T0 of a run: server time minus the safety lag, truncated to whole seconds. */
export function runStartFor(serverTimeMs: number, safetyLagMs: number): number {
  return floorToSecond(serverTimeMs - safetyLagMs);
}

/** The lower bound of a table's range: the beginning for a full run or a table without watermark, else watermark − overlap. */
export function rangeStartFor(kind: SyncKind, watermarkMs: number | null, overlapMs: number): number {
  if (kind === 'full' || watermarkMs === null) return FULL_RANGE_START_MS;
  return Math.max(FULL_RANGE_START_MS, floorToSecond(watermarkMs - overlapMs));
}

/** Plans a run: one TablePlan per table (tables sorted by name) and one root task per window. */
export function planRun(input: RunInput, opts: PlanOptions): RunPlan {
  const runStartMs = runStartFor(input.serverTimeMs, opts.safetyLagMs);
  const runStart = new Date(runStartMs);
  const tables: TablePlan[] = [];
  const tasks: SyncTask[] = [];
  for (const t of [...input.tables].sort((a, b) => a.table.localeCompare(b.table))) {
    const fromMs = Math.min(rangeStartFor(input.kind, t.watermarkMs, opts.overlapMs), runStartMs);
    const { windows, expectedRows } = tableWindows(fromMs, runStartMs, t, opts);
    // the table's rows and its first delta link in one change-tracking read (no $filter: the range is the whole table)
    const linked = t.delta?.link === null && windows.length === 1 && expectedRows !== null && fromMs === FULL_RANGE_START_MS;
    const ids = windows.map((w) => (linked ? linkedWindowTaskId(rootTaskId(input.runId, t.table, w)) : rootTaskId(input.runId, t.table, w)));
    if (t.delta && !linked) {
      const id = deltaTaskId(input.runId, t.table);
      const base = { runId: input.runId, connection: input.connection, table: t.table, kind: input.kind, runStart, attempt: 0, depth: 0, parentTaskId: null };
      tasks.push({ ...base, taskId: id, from: new Date(fromMs), to: runStart, delta: { link: t.delta.link } });
    }
    tables.push({ table: t.table, from: new Date(fromMs), to: runStart, taskIds: t.delta && !linked ? [deltaTaskId(input.runId, t.table), ...ids] : ids, deltaLink: t.delta?.link ?? null });
    windows.forEach((w, i) =>
      tasks.push({
        taskId: ids[i]!,
        runId: input.runId,
        connection: input.connection,
        table: t.table,
        kind: input.kind,
        runStart,
        from: new Date(w.fromMs),
        to: new Date(w.toMs),
        attempt: 0,
        depth: 0,
        parentTaskId: null,
        ...(expectedRows !== null ? { expectedRows } : {}),
        ...(linked ? { takeDeltaLink: true } : {}),
      }),
    );
  }
  return { runStartMs, tables, tasks };
}
