/**
 * What the plan of a run needs to know about each table (I/O; the rules are core/table-sizing.ts): the state DB's
 * watermarks, delta links and window counts (three queries for all tables), then, from Dataverse (GET only):
 *  - full runs, and tables never synced: the row counts of RetrieveTotalRecordCount (one request per 100 tables),
 *    or the previous full run's counts, as estimates;
 *  - incrementals of change-tracked tables with a stored link: the changes since the link (one request per table);
 *    an unchanged table whose link covers its range needs nothing more, no window and no delta task;
 *  - other incrementals: a count probe of the table's range `[watermark − overlap, T0)` (one request per table).
 * The requests share the coordinator's connection client, hence its concurrency limit (`x-ms-dop-hint`) and its 429
 * pause. A count that fails leaves the table planned without sizing (probed windows), never unplanned.
 */
import { toSyncError } from '../shared/errors.ts';
import type { Logger } from '../shared/log.ts';
import type { SyncKind } from '../contracts/control-messages.ts';
import type { Connection } from '../dataverse/connections/connection.ts';
import type { TableSummary } from '../dataverse/model/table-definition.ts';
import { windowFilter } from '../dataverse/compare/windows.ts';
import { rangeStartFor, runStartFor, type TableInput } from './core/run-plan.ts';
import { linkAgeMs, linkCovers, trackedWork, type RangeRows } from './core/table-sizing.ts';
import type { WindowCount } from './core/windows.ts';
import type { DataverseAccess } from './dataverse-access.ts';
import type { StateStore, TableState } from './state-store.ts';

/** Settings of the planner. */
export interface PlannerOptions {
  safetyLagMs: number;
  overlapMs: number;
  /** A delta link older than this gets a delta task even when nothing changed (a fresh link before it expires). */
  deltaRefreshMs: number;
}

/** Dependencies of the planner. */
export interface PlannerDeps {
  store: StateStore;
  dataverse: DataverseAccess;
  log: Logger;
  opts: PlannerOptions;
}

/** What one run is about. */
export interface PlanRequest {
  runId: string;
  kind: SyncKind;
  connection: Connection;
  /** The tables to plan, with their summaries (entity set, primary id, change tracking). */
  tables: readonly TableSummary[];
  /** Change-tracked tables whose deletes are captured through delta links. */
  tracked: ReadonlySet<string>;
  serverTimeMs: number;
}

const historyTotal = (h: readonly WindowCount[]): number | null => (h.length === 0 ? null : h.reduce((s, w) => s + w.count, 0));

/** A count of the range `[fromMs, toMs)` of a table (unknown when the probe failed: the table is planned unsized). */
async function countRange(deps: PlannerDeps, req: PlanRequest, summary: TableSummary, range: { fromMs: number; toMs: number }): Promise<RangeRows> {
  try {
    const probe = await deps.dataverse.countRows(req.connection, summary, windowFilter(range));
    return { kind: 'count', rows: probe.count, capped: probe.limitExceeded };
  } catch (err) {
    deps.log.warn({ runId: req.runId, table: summary.logicalName, err: toSyncError(err).toJSON() }, 'count probe failed; the table is planned without sizing');
    return { kind: 'unknown' };
  }
}

/**
 * An incremental of a table with a watermark: change-tracked with a stored link, the changes since the link first
 * (core/table-sizing.ts `trackedWork`), then, unless the table is unchanged and covered, a count of its range.
 */
async function incrementalTable(deps: PlannerDeps, req: PlanRequest, summary: TableSummary, state: TableState, tracked: boolean, range: { fromMs: number; toMs: number }): Promise<{ size: RangeRows; deltaTask: boolean }> {
  if (range.toMs <= range.fromMs) return { size: { kind: 'count', rows: 0, capped: false }, deltaTask: tracked };
  if (!tracked || state.link === null) return { size: await countRange(deps, req, summary, range), deltaTask: tracked };
  let changes: number | null = null;
  try {
    changes = await deps.dataverse.changesSince(req.connection, state.link.link);
  } catch (err) {
    // an expired token is the delta task's to report (the table then falls back to a full run)
    deps.log.info({ runId: req.runId, table: summary.logicalName, code: toSyncError(err).code }, 'could not count the changes since the delta link; the table is planned with its delta task');
  }
  const age = linkAgeMs(state.link.link, req.serverTimeMs);
  const work = trackedWork(changes, linkCovers(state.link, state.watermark, deps.opts.overlapMs), age === null || age > deps.opts.deltaRefreshMs);
  const size: RangeRows = work.windows === 'skip' ? { kind: 'count', rows: 0, capped: false } : await countRange(deps, req, summary, range);
  return { size, deltaTask: work.deltaTask };
}

/** Gathers the TableInputs of a run's plan (see the module comment). */
export async function planInputs(deps: PlannerDeps, req: PlanRequest): Promise<TableInput[]> {
  const { store, opts } = deps;
  const names = req.tables.map((t) => t.logicalName);
  const states = await store.tableStates(req.connection.id, names);
  const fullRange = (t: string) => req.kind === 'full' || states.get(t)!.watermark === null;
  const needEstimate = names.filter(fullRange);
  const snapshot = needEstimate.length > 0 ? await deps.dataverse.tableCounts(req.connection, needEstimate) : new Map<string, number>();
  const runStartMs = runStartFor(req.serverTimeMs, opts.safetyLagMs);
  return Promise.all(
    req.tables.map(async (summary) => {
      const table = summary.logicalName;
      const state = states.get(table)!;
      const watermarkMs = state.watermark?.ms ?? null;
      const tracked = req.tracked.has(table);
      // an incremental of a table without watermark is a full range: balance it like a full run
      const history = state.history[req.kind === 'incremental' && watermarkMs !== null ? 'incremental' : 'full'];
      if (fullRange(table)) {
        const known = [snapshot.get(table), historyTotal(state.history.full)].filter((n): n is number => n !== undefined && n !== null);
        const size: RangeRows = known.length > 0 ? { kind: 'estimate', rows: Math.max(...known) } : { kind: 'unknown' };
        return { table, watermarkMs, history, delta: tracked ? { link: state.link?.link ?? null } : null, size };
      }
      const fromMs = Math.min(rangeStartFor(req.kind, watermarkMs, opts.overlapMs), runStartMs);
      const { size, deltaTask } = await incrementalTable(deps, req, summary, state, tracked, { fromMs, toMs: runStartMs });
      return { table, watermarkMs, history, delta: deltaTask ? { link: state.link?.link ?? null } : null, size };
    }),
  );
}
