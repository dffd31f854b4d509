/**
 * Read-only views of a run (pure): progress for the runs collection, per-table results for RunCompleted, the
 * per-window counts kept to balance the next run's windows, and the Kafka offsets the run produced (to tell when
 * the loader has loaded it).
 */
import { isDeltaTaskId, takesDeltaLink } from './delta-task.ts';
import { isTaskComplete, type RunState, type TableRunState } from './run-state.ts';
import type { WindowCount } from './windows.ts';
import type { ProducedOffset } from '../../contracts/run-document.ts';

/** Progress of one table. */
export interface TableProgress {
  table: string;
  windowsDone: number;
  windowsTotal: number;
  records: number;
  fromMs: number;
  toMs: number;
  completedAtMs: number | null;
  /** The table's delta task: null when it has none (change tracking off), else its state and the tombstones it produced. */
  delta: { status: 'pending' | 'completed' | 'expired'; deletes: number } | null;
}

/**
 * Leaves = tasks that are not split (each is one window, or the delta task, still to do or done). A window that
 * takes the table's delta link is also its delta (no deletes: it is the table's first link).
 */
export function tableProgress(t: TableRunState): TableProgress {
  let done = 0;
  let total = 0;
  let records = 0;
  let delta: TableProgress['delta'] = null;
  for (const task of t.tasks.values()) {
    if (task.status === 'split') continue;
    total++;
    if (task.status === 'completed' || task.status === 'expired') done++;
    if (task.status === 'completed') records += task.count;
    if (isDeltaTaskId(task.taskId)) {
      delta = { status: task.status === 'completed' || task.status === 'expired' ? task.status : 'pending', deletes: task.status === 'completed' ? task.count : 0 };
    } else if (takesDeltaLink(task.taskId)) {
      delta = { status: task.status === 'completed' ? 'completed' : 'pending', deletes: 0 };
    }
  }
  return { table: t.table, windowsDone: done, windowsTotal: total, records, fromMs: t.fromMs, toMs: t.toMs, completedAtMs: t.completedAtMs, delta };
}

/** Per-table results of a completed run, with each table's committed watermark. */
export function tableResults(run: RunState, watermarkOf: (table: string) => number): { table: string; count: number; durationMs: number; watermark: Date }[] {
  return [...run.tables.values()].map((t) => ({
    table: t.table,
    count: tableProgress(t).records,
    durationMs: Math.max(0, (t.completedAtMs ?? run.startedAtMs) - run.startedAtMs),
    watermark: new Date(watermarkOf(t.table)),
  }));
}

function subtreeCount(t: TableRunState, taskId: string, depth = 0): number {
  const task = t.tasks.get(taskId);
  if (!task || depth > 64) return 0;
  return task.status === 'split' ? task.children.reduce((s, c) => s + subtreeCount(t, c, depth + 1), 0) : task.count;
}

/** The counts per root window of a complete table (split windows count their children), for the next plan. */
export function windowCounts(t: TableRunState): WindowCount[] {
  return t.rootTaskIds.flatMap((id) => {
    const task = t.tasks.get(id);
    if (!task?.window || !isTaskComplete(t, id)) return [];
    return [{ fromMs: task.window.fromMs, toMs: task.window.toMs, count: subtreeCount(t, id) }];
  });
}

/** One partition's end offset produced by a run (highest offset + 1). */

/** The highest offset + 1 the run's completed tasks produced, per topic partition. */
export function producedOffsets(run: RunState): ProducedOffset[] {
  const max = new Map<string, ProducedOffset>();
  for (const t of run.tables.values()) {
    for (const task of t.tasks.values()) {
      if (task.status !== 'completed' || task.topic === null) continue;
      for (const o of task.offsets) {
        const key = `${task.topic}\u0000${o.partition}`;
        const seen = max.get(key);
        if (!seen || o.offset > seen.offset) max.set(key, { topic: task.topic, partition: o.partition, offset: o.offset });
      }
    }
  }
  return [...max.values()].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}
