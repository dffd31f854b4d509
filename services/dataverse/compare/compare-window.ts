/**
 * One window of an id-set comparison (pure): the stored rows of the window against the source rows Dataverse lists
 * for it. Stored rows the source did not list are `extra` (deleted at the source, or modified since and listed in a
 * later window: the caller tells the two apart by asking for those ids); source rows not stored are `missing`;
 * rows in both whose version or `modifiedon` differ are `stale`.
 */
import type { CompareWindow, StoredRow } from './windows.ts';

/** A row as Dataverse lists it (version and modifiedon only when they were selected). */
export interface SourceRow {
  id: string;
  version: bigint | null;
  modifiedOnMs: number | null;
}

/** What one window found. */
export interface WindowComparison {
  window: CompareWindow;
  stored: number;
  source: number;
  /** Source rows without a stored document (ids of the first few in `missingExamples`). */
  missing: number;
  missingExamples: string[];
  /** Stored rows the source listed with another version or modifiedon. */
  stale: StoredRow[];
  /** Stored rows the source did not list in this window. */
  extra: StoredRow[];
}

const EXAMPLES = 5;

/** Compares one window; feed it the source pages, then read `result()`. */
export class WindowComparer {
  private readonly window: CompareWindow;
  private readonly stored: Map<string, StoredRow>;
  private readonly listed = new Set<string>();
  private source = 0;
  private missing = 0;
  private readonly missingExamples: string[] = [];
  private readonly stale: StoredRow[] = [];

  constructor(window: CompareWindow, stored: Map<string, StoredRow>) {
    this.window = window;
    this.stored = stored;
  }

  add(rows: readonly SourceRow[]): void {
    for (const row of rows) {
      this.source++;
      const mine = this.stored.get(row.id);
      if (!mine) {
        this.missing++;
        if (this.missingExamples.length < EXAMPLES) this.missingExamples.push(row.id);
        continue;
      }
      this.listed.add(row.id);
      const otherVersion = row.version !== null && row.version !== mine.version;
      const otherTime = row.modifiedOnMs !== null && row.modifiedOnMs !== mine.modifiedOnMs;
      if (otherVersion || otherTime) this.stale.push(mine);
    }
  }

  result(): WindowComparison {
    const extra = [...this.stored.values()].filter((r) => !this.listed.has(r.id));
    return { window: this.window, stored: this.stored.size, source: this.source, missing: this.missing, missingExamples: this.missingExamples, stale: this.stale, extra };
  }
}
