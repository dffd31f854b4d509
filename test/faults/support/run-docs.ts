/** The coordinator's run documents as the fault suite reads them, when a run is over, and polling for one. */

/** A run as the coordinator stores it (the fields the suite reads). */
export interface RunDoc {
  _id: string;
  connection: string;
  kind: 'full' | 'incremental';
  status: 'running' | 'completed' | 'failed' | 'loaded';
  runStart: Date;
  error: { code: string; message: string } | null;
  reconcile?: string;
  tables: Record<string, { windowsDone: number; windowsTotal: number; records: number; completedAt?: Date | null }>;
  /** Table → the full run requested because the table's delta token expired during this (incremental) run. */
  deltaFallbacks?: Record<string, string>;
}

/** A run is over for the suite: failed, or loaded and (full runs) reconciled — its documents no longer change. */
export const isOver = (r: RunDoc): boolean =>
  r.status === 'failed' || (r.status === 'loaded' && (r.kind === 'incremental' || (r.reconcile !== undefined && r.reconcile !== 'pending')));

/** The timeline line of a finished run (`sinceMs`: when it was requested). */
export function runLine(r: RunDoc, sinceMs: number): string {
  const records = Object.values(r.tables ?? {}).reduce((s, x) => s + x.records, 0);
  return `${r.kind} run ${r._id}: ${r.status}${r.error ? ` ${r.error.code}` : ''}, ${records} records, ${((Date.now() - sinceMs) / 1000).toFixed(1)}s`;
}

/** Calls `probe` every `everyMs` until it gives a value (resolved) or `deadlineMs` passes (undefined). */
export async function poll<T>(probe: () => Promise<T | undefined | null>, deadlineMs: number, everyMs: number): Promise<T | undefined> {
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null) return value;
    if (Date.now() > deadlineMs) return undefined;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
