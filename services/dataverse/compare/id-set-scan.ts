/**
 * The id-set comparison of one table (architecture.md §5, Invariant 8): the stored documents, read from MongoDB in
 * `modifiedon` order through the `sync_modifiedon` index, are cut into windows of about `chunkSize` documents
 * (windows.ts); for each window Dataverse lists the ids of its rows in the same `modifiedon` range (`$select` of the
 * primary id, and of `versionnumber`/`modifiedon` when versions are compared, 5,000 rows a page, following the
 * paging cookie), and the two are compared (compare-window.ts). Memory holds one window's stored rows and one page,
 * whatever the table's size. A window whose listing failed, or held a row without its primary id, yields an error
 * instead of a comparison: nothing may be concluded from it. GET only.
 */
import type { Collection, Document } from 'mongodb';
import { SyncError, toSyncError } from '../../shared/errors.ts';
import { LIVE, SYNC, SYNC_FIELD, type StoredSync } from '../../contracts/stored-document.ts';
import type { DataverseClient } from '../client/dataverse-client.ts';
import { WindowComparer, type SourceRow, type WindowComparison } from './compare-window.ts';
import { listedId } from './record-id.ts';
import { ChunkCutter, windowFilter, type CompareWindow, type StoredChunk, type StoredRow } from './windows.ts';

/** The table to compare. */
export interface ScanTarget {
  table: string;
  entitySetName: string;
  primaryIdAttribute: string;
  /** List `versionnumber` (when the table has it) and `modifiedon` too, to find stale documents. */
  versions: false | { versionNumber: boolean };
}

/** Settings of a scan. */
export interface ScanOptions {
  /** Compare only rows modified before this instant (a full run's T0); null: everything. */
  beforeMs: number | null;
  /** Stored documents per window (default 5,000). */
  chunkSize?: number;
  signal?: AbortSignal;
}

/** One window's outcome. */
export type WindowScan = { ok: true; comparison: WindowComparison } | { ok: false; window: CompareWindow; stored: number; error: SyncError };

const PAGE = 5000;

/** The stored row of a document, or null when it lacks usable sync metadata. */
function storedRow(doc: Document): StoredRow | null {
  const sync = doc[SYNC_FIELD] as Partial<StoredSync> | undefined;
  if (sync?.version === undefined || !(sync.modifiedon instanceof Date)) return null;
  return { id: String(doc._id), version: BigInt(sync.version.toString()), modifiedOnMs: sync.modifiedon.getTime() };
}

/** The source row of a listed row; DATAVERSE_PAYLOAD_INVALID when it carries no usable primary id. */
function sourceRow(row: Record<string, unknown>, target: ScanTarget): SourceRow {
  const id = listedId(row, target.primaryIdAttribute);
  if (id === null) {
    throw new SyncError('DATAVERSE_PAYLOAD_INVALID', `Dataverse listed a row of ${target.table} without its primary id ${target.primaryIdAttribute}: rows of this window cannot be attributed, so nothing is concluded from it`, { details: { table: target.table } });
  }
  if (!target.versions) return { id, version: null, modifiedOnMs: null };
  // the extractor stores version 0 for a table without versionnumber (and a row without one)
  const v = target.versions.versionNumber ? row.versionnumber : undefined;
  return { id, version: v === undefined || v === null ? 0n : BigInt(String(v)), modifiedOnMs: typeof row.modifiedon === 'string' ? Date.parse(row.modifiedon) : null };
}

/** The listing path of a window. */
export function listingPath(target: ScanTarget, w: CompareWindow): string {
  const columns = [target.primaryIdAttribute, ...(target.versions ? ['modifiedon', ...(target.versions.versionNumber ? ['versionnumber'] : [])] : [])];
  return `${target.entitySetName}?$select=${columns.join(',')}&$filter=${encodeURIComponent(windowFilter(w))}`;
}

async function compareChunk(client: Pick<DataverseClient, 'pages'>, target: ScanTarget, chunk: StoredChunk, signal?: AbortSignal): Promise<WindowScan> {
  const comparer = new WindowComparer(chunk.window, chunk.rows);
  try {
    for await (const page of client.pages(listingPath(target, chunk.window), { maxPageSize: PAGE, signal })) comparer.add(page.rows.map((r) => sourceRow(r, target)));
  } catch (err) {
    return { ok: false, window: chunk.window, stored: chunk.rows.size, error: toSyncError(err, 'DATAVERSE_UNAVAILABLE') };
  }
  return { ok: true, comparison: comparer.result() };
}

/** Compares `coll` with the source table window by window (see the module comment). */
export async function* scanTable(coll: Collection<Document>, client: Pick<DataverseClient, 'pages'>, target: ScanTarget, opts: ScanOptions): AsyncGenerator<WindowScan> {
  const cutter = new ChunkCutter(opts.chunkSize ?? PAGE);
  const filter = { ...LIVE, [SYNC.modifiedon]: opts.beforeMs === null ? { $exists: true } : { $lt: new Date(opts.beforeMs) } };
  const cursor = coll.find(filter, { projection: { [SYNC.version]: 1, [SYNC.modifiedon]: 1 }, sort: { [SYNC.modifiedon]: 1 }, batchSize: PAGE });
  try {
    for await (const doc of cursor) {
      const row = storedRow(doc);
      if (!row) continue;
      const chunk = cutter.push(row);
      if (chunk) yield await compareChunk(client, target, chunk, opts.signal);
    }
  } finally {
    await cursor.close();
  }
  yield await compareChunk(client, target, cutter.finish(opts.beforeMs), opts.signal);
}
