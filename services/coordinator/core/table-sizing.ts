/**
 * Work proportional to the data (pure): what a run must do for one table, from what the coordinator knows before it
 * plans the table's windows (services/coordinator/README.md, "Plans sized by the data").
 *
 * What is known of the rows of a table's range:
 *  - a count of exactly the range (an incremental's count probe; Dataverse caps it at 5,000);
 *  - an estimate of the whole table (a full run: `RetrieveTotalRecordCount`, a snapshot up to 24 h old, or the
 *    previous full run's window counts);
 *  - nothing (the counts could not be read): planned as before sizing, with up to `targetWindows` probed windows.
 * From it, the windows: none (an empty range), one window read in one go without a probe (the extractor asks for
 * pages of up to 5,000 rows, so a table that fits in one page costs one request), or `rows / windowRows` windows that
 * the extractor probes and splits further when they are too big.
 *
 * Change-tracked tables in an incremental: the stored delta link tells whether anything changed since its snapshot
 * (`<set>/$count?$deltatoken=`, one request). A link that reports no change needs no window when it also *covers* the
 * range: every row committed before its snapshot and modified inside the range (from `watermark − overlap`) has
 * been read (linkCovers). Then the table costs that one request: no window, no delta task (no delete since the
 * snapshot), and its watermark moves to the run's T0. A link older than `refreshMs` gets a delta task anyway, which
 * takes a fresh link before Dataverse's retention expires it.
 */
import { COUNT_CAP } from '../../dataverse/query/row-counts.ts';
import { parseDeltaToken } from '../../dataverse/query/delta-token.ts';

/** What is known of the rows of a table's range when its run is planned. */
export type RangeRows =
  | { kind: 'count'; rows: number; capped: boolean }
  | { kind: 'estimate'; rows: number }
  | { kind: 'unknown' };

/** The windows a table needs. */
export type WindowWork = { kind: 'none' } | { kind: 'single'; expectedRows: number } | { kind: 'split'; windows: number };

/** Sizing settings. */
export interface SizingOptions {
  /** A range expected to hold at most this many rows is one window read without a probe (≤ 5,000: one page). */
  singleRows: number;
  /** Rows aimed at per window of a larger range (the extractor splits any window still too big). */
  windowRows: number;
  /** Most windows planned per table. */
  targetWindows: number;
}

/** The rows a range is known to hold, null when unknown or only a lower bound (a capped count): sizes a new table topic. */
export function knownRows(rows: RangeRows | undefined): number | null {
  if (rows === undefined || rows.kind === 'unknown' || (rows.kind === 'count' && rows.capped)) return null;
  return rows.rows;
}

/** The windows of a range from what is known of its rows. */
export function windowWork(rows: RangeRows, opts: SizingOptions): WindowWork {
  const single = Math.min(opts.singleRows, COUNT_CAP);
  if (rows.kind === 'unknown') return { kind: 'split', windows: opts.targetWindows };
  if (rows.kind === 'count' && rows.rows === 0 && !rows.capped) return { kind: 'none' };
  const capped = rows.kind === 'count' && rows.capped;
  if (!capped && rows.rows <= single) return { kind: 'single', expectedRows: rows.rows };
  const windows = capped ? opts.targetWindows : Math.ceil(rows.rows / Math.max(1, opts.windowRows));
  return { kind: 'split', windows: Math.max(2, Math.min(opts.targetWindows, windows)) };
}

/** The stored delta link of a change-tracked table. */
export interface StoredLink {
  link: string;
  /** The run that stored it (with its watermark). */
  runId: string;
  /** At that run's commit: every row committed before the link's snapshot and modified since `T0 − overlap` was read. */
  clean: boolean;
}

/** The stored watermark of a table. */
export interface StoredWatermark {
  ms: number;
  runId: string;
}

/**
 * True when every row committed before the link's snapshot and modified at or after `watermark − overlap` (the next
 * incremental's range) has been read:
 *  - the link was stored by the run that set the watermark: its `clean` flag says so (linkClean);
 *  - a later run moved the watermark: it planned after the snapshot, so it read every such row modified in its
 *    range, and none modified later exists when the snapshot predates `watermark − overlap` (a row is modified
 *    before it is committed). A run that moved the watermark without reading (a covered, unchanged table) kept
 *    this true.
 */
export function linkCovers(link: StoredLink, watermark: StoredWatermark | null, overlapMs: number): boolean {
  if (watermark === null) return false;
  if (link.runId === watermark.runId) return link.clean;
  const token = parseDeltaToken(link.link);
  return token !== null && token.issuedMs < watermark.ms - overlapMs;
}

/** The age of a delta link's snapshot at `nowMs` (server time), null when its token cannot be read. */
export function linkAgeMs(link: string, nowMs: number): number | null {
  const token = parseDeltaToken(link);
  return token === null ? null : nowMs - token.issuedMs;
}

/** What an incremental does for a change-tracked table with a stored link, once the link was checked. */
export interface TrackedWork {
  /** `skip`: no window (nothing to read); `count`: count the range and size its windows. */
  windows: 'skip' | 'count';
  /** A delta task: deletes since the snapshot (changes reported), or a fresh link (the old one is getting old). */
  deltaTask: boolean;
}

/**
 * The work of a change-tracked table in an incremental from the check of its link: `changes` since the snapshot
 * (null: unknown, the check failed or the token expired), whether the link covers the range, and whether it is
 * older than the refresh age (or of unknown age).
 */
export function trackedWork(changes: number | null, covers: boolean, stale: boolean): TrackedWork {
  if (changes === 0 && covers) return { windows: 'skip', deltaTask: stale };
  if (changes === 0) return { windows: 'count', deltaTask: stale };
  return { windows: 'count', deltaTask: true };
}

/**
 * Whether the delta link a run's delta task obtained is clean (see linkCovers), decided when the table's watermark
 * is committed: the rows the delta task saw (an initial scan: every row; a consumed link: the rows changed since its
 * snapshot) were all modified before `T0 − overlap` (`maxModifiedOnMs`, null: none), and the consumed link's own
 * snapshot predates it too (rows committed before that snapshot were not in this delta).
 */
export function linkClean(maxModifiedOnMs: number | null, consumedLink: string | null, runStartMs: number, overlapMs: number): boolean {
  const threshold = runStartMs - overlapMs;
  if (maxModifiedOnMs !== null && maxModifiedOnMs >= threshold) return false;
  if (consumedLink === null) return true;
  const token = parseDeltaToken(consumedLink);
  return token !== null && token.issuedMs < threshold;
}
