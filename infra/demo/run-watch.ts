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
}

interface RunDoc {
  _id: string;
  kind: string;
  status: string;
  startedAt: Date;
  runStart: Date;
  completedAt: Date | null;
  loadedAt: Date | null;
  error: { code: string; message: string } | null;
  reconcile?: string;
  tombstones?: Record<string, number>;
  tables: Record<string, { windowsDone: number; windowsTotal: number; records: number; delta?: { deletes: number } | null }>;
}

/** Waits for the first run of `kind` started after `since`; throws when it fails or `timeoutMs` passes. */
export async function watchRun(state: Db, connection: string, kind: 'full' | 'incremental', since: Date, say: (line: string) => void, timeoutMs: number): Promise<RunSummary> {
  const deadline = Date.now() + timeoutMs;
  let lastLine = '';
  let lastPrint = 0;
  while (Date.now() < deadline) {
    const run = await state.collection<RunDoc>('runs').findOne({ connection, kind, startedAt: { $gte: since } }, { sort: { startedAt: -1 } });
    if (run) {
      const tables = Object.values(run.tables ?? {});
      const records = tables.reduce((s, t) => s + t.records, 0);
      const done = tables.reduce((s, t) => s + t.windowsDone, 0);
      const total = tables.reduce((s, t) => s + t.windowsTotal, 0);
      const seconds = (Date.now() - run.startedAt.getTime()) / 1000;
      if (run.status === 'failed') throw new Error(`${kind} run ${run._id} failed: ${run.error?.code} ${run.error?.message}`);
      const finished = run.status === 'loaded' && (kind === 'incremental' || run.reconcile !== 'pending');
      const line = `  ${kind} run: ${run.status.padEnd(9)} windows ${done}/${total}  records ${records}  (${Math.round(records / Math.max(seconds, 0.001))}/s)`;
      if (finished || (line !== lastLine && Date.now() - lastPrint > 1000)) {
        say(line);
        lastLine = line;
        lastPrint = Date.now();
      }
      if (finished) {
        const loaded = run.loadedAt ?? new Date();
        const tombstones = Object.values(run.tombstones ?? {}).reduce((s, n) => s + n, 0);
        const deletes = tables.reduce((s, t) => s + (t.delta?.deletes ?? 0), 0);
        const extractedSeconds = run.completedAt ? (run.completedAt.getTime() - run.startedAt.getTime()) / 1000 : null;
        return { runId: run._id, kind, records, windows: total, seconds: (loaded.getTime() - run.startedAt.getTime()) / 1000, extractedSeconds, runStart: run.runStart, tombstones, deletes };
      }
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${kind} run of ${connection} did not finish within ${timeoutMs / 1000}s (is the coordinator running?)`);
}
