/**
 * The coordinator's own documents of its state DB (state-store.ts): `delta_links` and `run_requests`, and what
 * planning reads of a table. The documents other services read (`runs`, `watermarks`) are contracts/run-document.ts.
 */
import type { SyncKind } from '../contracts/control-messages.ts';
import type { Pending } from './core/pending.ts';
import type { LastFired } from './core/schedule.ts';
import type { WindowCount } from './core/windows.ts';
import type { StoredLink, StoredWatermark } from './core/table-sizing.ts';

/** What planning knows of a table from the state DB (StateStore.tableStates). */
export interface TableState {
  watermark: StoredWatermark | null;
  link: StoredLink | null;
  history: Record<SyncKind, WindowCount[]>;
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
