/**
 * The windows of an id-set comparison (pure): the stored documents of a table, read in `modifiedon` order, are cut
 * into chunks of about `chunkSize` documents at whole seconds (Dataverse stores `modifiedon` at second precision, so
 * a second is never split between two windows); the chunks' windows tile the whole time axis, from Dataverse's
 * earliest date to the end of the comparison (or without end), so every source row falls in exactly one window.
 */

/** The earliest date Dataverse stores (SQL Server `datetime`): 1753-01-01T00:00:00Z. */
export const EARLIEST_MS = Date.UTC(1753, 0, 1);

const SECOND = 1000;

/** `fromMs <= modifiedon < toMs`; `toMs` null: no upper bound. */
export interface CompareWindow {
  fromMs: number;
  toMs: number | null;
}

/** An unquoted OData date-time literal at whole seconds, e.g. `2024-01-01T00:00:00Z`. */
export function odataDateTime(ms: number): string {
  return new Date(Math.floor(ms / SECOND) * SECOND).toISOString().replace('.000Z', 'Z');
}

/** The `$filter` of a window (not URL-encoded). */
export function windowFilter(w: CompareWindow, column = 'modifiedon'): string {
  const from = `${column} ge ${odataDateTime(w.fromMs)}`;
  return w.toMs === null ? from : `${from} and ${column} lt ${odataDateTime(w.toMs)}`;
}

/** A stored document as the comparison sees it. */
export interface StoredRow {
  id: string;
  version: bigint;
  modifiedOnMs: number;
}

/** A chunk of stored documents and the window it covers. */
export interface StoredChunk {
  window: CompareWindow;
  rows: Map<string, StoredRow>;
}

/**
 * Cuts stored rows, pushed in ascending `modifiedon` order, into chunks. `push` returns a finished chunk when the
 * row starts a new second after `chunkSize` rows; `finish` returns the last chunk, up to `endMs`.
 */
export class ChunkCutter {
  private readonly chunkSize: number;
  private fromMs = EARLIEST_MS;
  private rows = new Map<string, StoredRow>();
  private lastSecond = -Infinity;

  constructor(chunkSize: number) {
    this.chunkSize = chunkSize;
  }

  push(row: StoredRow): StoredChunk | null {
    const second = Math.floor(row.modifiedOnMs / SECOND);
    let done: StoredChunk | null = null;
    if (this.rows.size >= this.chunkSize && second > this.lastSecond) {
      const toMs = (this.lastSecond + 1) * SECOND;
      done = { window: { fromMs: this.fromMs, toMs }, rows: this.rows };
      this.fromMs = toMs;
      this.rows = new Map();
    }
    this.rows.set(row.id, row);
    this.lastSecond = Math.max(this.lastSecond, second);
    return done;
  }

  /** The last chunk (possibly empty), from the end of the previous one to `endMs` (null: no end). */
  finish(endMs: number | null): StoredChunk {
    return { window: { fromMs: this.fromMs, toMs: endMs }, rows: this.rows };
  }
}
