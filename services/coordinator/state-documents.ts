/**
 * The documents of the coordinator's state DB (state-store.ts): `runs` (the projection the CLI and status page read),
 * `watermarks`, `delta_links` and `run_requests`, and what planning reads of a table.
 */
import type { SyncKind } from '../shared/control-messages.ts';
import type { Pending } from './core/pending.ts';
import type { LastFired } from './core/schedule.ts';
import type { ProducedOffset } from './core/run-views.ts';
import type { WindowCount } from './core/windows.ts';
import type { StoredLink, StoredWatermark } from './core/table-sizing.ts';

/** What planning knows of a table from the state DB (StateStore.tableStates). */
export interface TableState {
  watermark: StoredWatermark | null;
  link: StoredLink | null;
  history: Record<SyncKind, WindowCount[]>;
}

/** Status of a run in the runs collection. */
export type RunStatus = 'running' | 'completed' | 'failed' | 'loaded';

/** A run document (what `dynsync status` shows). */
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

export interface WatermarkDoc {
  _id: string;
  watermark: Date;
  runId: string;
  updatedAt: Date;
}

export interface DeltaLinkDoc {
  _id: string;
  link: string;
  runId: string;
  /** T0 of the run that obtained the link: a stored link is only replaced by one of a later run. */
  runStart: Date;
  /** The link is clean (core/table-sizing.ts `linkClean`); absent in links stored before sizing: not clean. */
  clean?: boolean;
  updatedAt: Date;
}

export interface RequestsDoc {
  _id: string;
  pending: Pending;
  lastFired: LastFired;
  /** Recently accepted request ids (a command re-read after a crash is not added twice). */
  recent: string[];
  updatedAt: Date;
}
