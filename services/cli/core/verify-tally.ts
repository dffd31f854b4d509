/**
 * The verdict of `dynsync verify` for one table (pure): the windows of an id-and-version comparison
 * (dataverse/compare/id-set-scan.ts) and the existence checks of their extra documents folded into counts.
 *
 * - **missing**: a source row without a live stored document;
 * - **stale**: a stored document whose version or `modifiedon` is not the source's: listed in its window with
 *   another version, or not listed in its window but still existing (modified since, so listed in a later window,
 *   where it was counted missing: that count is taken back);
 * - **extra**: a live stored document whose row no longer exists at the source;
 * - **incomplete**: a window whose listing failed, or an existence check that failed or could not attribute a row,
 *   concludes nothing; the table's result then says why.
 */
import type { ExistingIds } from '../../dataverse/compare/existing-ids.ts';
import type { WindowScan } from '../../dataverse/compare/id-set-scan.ts';
import type { StoredRow } from '../../dataverse/compare/windows.ts';

/** The counts of one table. */
export interface TableVerify {
  table: string;
  /** Rows Dataverse listed (windows that failed excluded). */
  source: number;
  /** Live stored documents read from the store. */
  stored: number;
  missing: number;
  extra: number;
  stale: number;
  /** A few ids of each kind. */
  examples: { missing: string[]; extra: string[]; stale: string[] };
  /** Windows compared (or attempted). */
  windows: number;
  /** Why a part of the table was not compared; null when all of it was. */
  incomplete: string | null;
}

/** Example ids kept per kind. */
export const EXAMPLES = 5;

const push = (list: string[], ids: readonly string[]) => {
  for (const id of ids) if (list.length < EXAMPLES) list.push(id);
};
const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

/** Folds the windows and checks of one table; read {@link VerifyTally.result} at the end. */
export class VerifyTally {
  private readonly t: TableVerify;
  /**
   * Extra documents found still existing: each is counted missing in its new window (a later one), so it is taken
   * back from the count and left out of the examples. As many as rows modified since they were loaded.
   */
  private readonly moved = new Set<string>();
  private failedWindows = 0;
  private notCompared = 0;
  private readonly reasons: string[] = [];

  constructor(table: string) {
    this.t = { table, source: 0, stored: 0, missing: 0, extra: 0, stale: 0, examples: { missing: [], extra: [], stale: [] }, windows: 0, incomplete: null };
  }

  /** Windows and stored documents so far (progress). */
  get progress(): { windows: number; stored: number } {
    return { windows: this.t.windows, stored: this.t.stored };
  }

  /** Adds a window; returns its extra documents, whose existence the caller checks ({@link VerifyTally.checked}). */
  window(w: WindowScan): StoredRow[] {
    this.t.windows++;
    if (!w.ok) {
      this.t.stored += w.stored;
      this.failedWindows++;
      this.notCompared += w.stored;
      this.reason(w.error.message);
      return [];
    }
    const c = w.comparison;
    this.t.stored += c.stored;
    this.t.source += c.source;
    this.t.missing += c.missing;
    push(this.t.examples.missing, c.missingExamples.filter((id) => !this.moved.has(id)));
    this.t.stale += c.stale.length;
    push(this.t.examples.stale, c.stale.map((r) => r.id));
    return c.extra;
  }

  /** The existence check of a window's extra documents: those still existing are stale, the others extra. */
  checked(extras: readonly StoredRow[], answer: ExistingIds): void {
    if (answer.unidentified > 0) {
      this.reason(`Dataverse returned ${plural(answer.unidentified, 'row')} without the primary id in the existence check of ${plural(extras.length, 'document')}`);
      return;
    }
    const moved = extras.filter((r) => answer.existing.has(r.id)).map((r) => r.id);
    const gone = extras.filter((r) => !answer.existing.has(r.id)).map((r) => r.id);
    for (const id of moved) this.moved.add(id);
    this.t.stale += moved.length;
    push(this.t.examples.stale, moved);
    this.t.extra += gone.length;
    push(this.t.examples.extra, gone);
  }

  /** An existence check that failed: its documents are neither extra nor stale. */
  checkFailed(documents: number, message: string): void {
    this.reason(`the existence check of ${plural(documents, 'document')} failed: ${message}`);
  }

  /** Any other reason why a part of the table was not compared. */
  reason(message: string): void {
    if (!this.reasons.includes(message)) this.reasons.push(message);
  }

  result(): TableVerify {
    const failed = this.failedWindows > 0 ? [`${plural(this.failedWindows, 'window')} (${plural(this.notCompared, 'document')}) not compared`] : [];
    const why = [...failed, ...this.reasons];
    // a moved row was counted missing in its new window, unless that window failed (never below 0)
    return { ...this.t, missing: Math.max(0, this.t.missing - this.moved.size), incomplete: why.length > 0 ? why.join('; ') : null };
  }
}

/** True when the table is whole: nothing missing, extra or stale, and all of it compared. */
export const isWhole = (t: TableVerify): boolean => t.missing === 0 && t.extra === 0 && t.stale === 0 && t.incomplete === null;

/** The sums over the tables. */
export function verifyTotals(tables: readonly TableVerify[]): { tables: number; source: number; stored: number; missing: number; extra: number; stale: number; incomplete: number } {
  const sum = (f: (t: TableVerify) => number) => tables.reduce((s, t) => s + f(t), 0);
  return {
    tables: tables.length,
    source: sum((t) => t.source),
    stored: sum((t) => t.stored),
    missing: sum((t) => t.missing),
    extra: sum((t) => t.extra),
    stale: sum((t) => t.stale),
    incomplete: sum((t) => (t.incomplete === null ? 0 : 1)),
  };
}

/** 0 when every table is whole, 1 otherwise. */
export const verifyExitCode = (tables: readonly TableVerify[]): number => (tables.every(isWhole) ? 0 : 1);
