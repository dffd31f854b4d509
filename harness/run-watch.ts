/**
 * Waits for a run of a connection in the coordinator's state DB (`runs`), printing its progress (windows done,
 * records, rate) while it runs. A run is finished for the demo when it is loaded (the loader's committed offsets
 * passed everything it produced) and, for full runs, its delete reconciliation is done.
 */
import type { Db } from 'mongodb';

/** What the demo reports about a run. */
export interface RunSummary {
  runId: string;
  kind: string;
  records: number;
  windows: number;
  seconds: number;
  /** From the run's start until its extraction completed (every window's records acknowledged by Kafka). */
  extractedSeconds: number | null;
  runStart: Date;
  tombstones: number;
  /** Deletes captured through delta links (change-tracked tables). */
  deletes: number;
  /** A full run's delete reconciliation: from loaded to reconciled, and its outcome (done, incomplete, skipped). */
  reconcileSeconds: number | null;
  reconcile: string | null;
}

/** The fields of a `runs` document the demo reads. */
export interface RunDoc {
  _id: string;
  kind: string;
  status: string;
  startedAt: Date;
  runStart: Date;
  completedAt: Date | null;
  loadedAt: Date | null;
  error: { code: string; message: string } | null;
  reconcile?: string;
  reconciledAt?: Date | null;
  tombstones?: Record<string, number>;
  tables: Record<string, { windowsDone: number; windowsTotal: number; records: number; delta?: { deletes: number } | null }>;
}

/** Records, windows done and windows planned over the tables of `run`. */
function totals(run: Pick<RunDoc, 'tables'>): { records: number; done: number; total: number; deletes: number } {
  const tables = Object.values(run.tables ?? {});
  const sum = (f: (t: RunDoc['tables'][string]) => number) => tables.reduce((s, t) => s + f(t), 0);
  return { records: sum((t) => t.records), done: sum((t) => t.windowsDone), total: sum((t) => t.windowsTotal), deletes: sum((t) => t.delta?.deletes ?? 0) };
}

/**
 * The progress line of `run` at `nowMs`. The rate counts up to the end of the run's current phase: now while it
 * runs, its completion while the loader catches up (`completed`: the extraction rate), the moment it was loaded
 * once `loaded`. So the line stays the same while the loader catches up and while a full run's delete
 * reconciliation runs: it is printed once per phase, not every second with a falling rate.
 */
export function progressLine(kind: string, run: Pick<RunDoc, 'status' | 'startedAt' | 'completedAt' | 'loadedAt' | 'reconcile' | 'tables'>, nowMs: number): string {
  const { records, done, total } = totals(run);
  const phaseEnd = run.status === 'loaded' ? run.loadedAt : run.status === 'completed' ? run.completedAt : null;
  const endMs = phaseEnd?.getTime() ?? nowMs;
  const seconds = (endMs - run.startedAt.getTime()) / 1000;
  const status = run.status === 'loaded' && kind === 'full' && run.reconcile === 'pending' ? 'loaded, reconciling deletes' : run.status;
  return `  ${kind} run: ${status.padEnd(9)} windows ${done}/${total}  records ${records}  (${Math.round(records / Math.max(seconds, 0.001))}/s)`;
}

/** Waits for the first run of `kind` started after `since`; throws when it fails or `timeoutMs` passes. */
export async function watchRun(state: Db, connection: string, kind: 'full' | 'incremental', since: Date, say: (line: string) => void, timeoutMs: number, earlier: readonly string[] = []): Promise<RunSummary> {
  const deadline = Date.now() + timeoutMs;
  let lastLine = '';
  let lastPrint = 0;
  while (Date.now() < deadline) {
    // `earlier`: runs that existed before this one was requested (a short run can start within `since`'s margin)
    const run = await state.collection<RunDoc>('runs').findOne({ connection, kind, startedAt: { $gte: since }, _id: { $nin: [...earlier] } }, { sort: { startedAt: -1 } });
    if (run) {
      if (run.status === 'failed') throw new Error(`${kind} run ${run._id} failed: ${run.error?.code} ${run.error?.message}`);
      const finished = run.status === 'loaded' && (kind === 'incremental' || run.reconcile !== 'pending');
      const line = progressLine(kind, run, Date.now());
      if (line !== lastLine && (finished || Date.now() - lastPrint > 1000)) {
        say(line);
        lastLine = line;
        lastPrint = Date.now();
      }
      if (finished) {
        const { records, total, deletes } = totals(run);
        const loaded = run.loadedAt ?? new Date();
        const tombstones = Object.values(run.tombstones ?? {}).reduce((s, n) => s + n, 0);
        const extractedSeconds = run.completedAt ? (run.completedAt.getTime() - run.startedAt.getTime()) / 1000 : null;
        const reconcileSeconds = run.reconciledAt && run.loadedAt ? (run.reconciledAt.getTime() - run.loadedAt.getTime()) / 1000 : null;
        return { runId: run._id, kind, records, windows: total, seconds: (loaded.getTime() - run.startedAt.getTime()) / 1000, extractedSeconds, runStart: run.runStart, tombstones, deletes, reconcileSeconds, reconcile: run.reconcile ?? null };
      }
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${kind} run of ${connection} did not finish within ${timeoutMs / 1000}s (is the coordinator running?)`);
}
