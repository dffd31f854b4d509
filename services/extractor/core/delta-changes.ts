/**
 * Reading change-tracking responses (pure, reference A5): which entries of a delta page are deletions and of which
 * record, what the `$deltatoken` of a delta link says, and the version a delete tombstone carries.
 *
 * Tombstone version: a `$deletedEntity` carries only the id. Every version of a deleted record is older than its
 * delete, and the delete is older than the delta link returned at the end of the same response, whose token is
 * `<version>!<MM/dd/yyyy HH:mm:ss>` (UTC) in Dataverse's rowversion space (the space of `versionnumber`). So the
 * tombstone carries the NEW token's version and time: newer than any replayed upsert of the record (the loader
 * keeps it), older than a later restore of the record (which gets a fresh versionnumber and wins).
 */
import type { RecordHeaders } from '../../contracts/record-headers.ts';
import type { SyncTask } from '../../contracts/control-messages.ts';
import { parseDeltaToken, type DeltaToken } from '../../dataverse/query/delta-token.ts';

export { parseDeltaToken, type DeltaToken } from '../../dataverse/query/delta-token.ts';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The path of the initial change-tracking scan: the primary key and `modifiedon` only, so the scan is small and
 * tells when the rows it saw were modified (the coordinator's "clean link" rule); ends with the link.
 */
export function initialDeltaPath(entitySetName: string, primaryIdAttribute: string): string {
  return `${entitySetName}?$select=${primaryIdAttribute},modifiedon`;
}

/**
 * `link` (an `@odata.deltaLink`) selecting the primary key and `modifiedon` only, its `$deltatoken` and every other
 * parameter kept. A link a window took with its table's rows (SyncTask `takeDeltaLink`) selects every column; stored
 * narrowed, consuming it reads ids and times in 5,000-row pages like any other link, and a column removed from the
 * table later does not make Dataverse refuse it ("Could not find a property named …"). The token is a version stamp
 * of the table, independent of the columns selected.
 */
export function narrowDeltaLink(link: string, primaryIdAttribute: string): string {
  const select = `$select=${primaryIdAttribute},modifiedon`;
  const q = link.indexOf('?');
  if (q < 0) return `${link}?${select}`;
  const params = link.slice(q + 1).split('&').filter((p) => !p.startsWith('$select=') && !p.startsWith('%24select='));
  return `${link.slice(0, q)}?${[select, ...params].join('&')}`;
}

const isDeletion = (row: Record<string, unknown>): boolean =>
  (typeof row['@odata.context'] === 'string' && row['@odata.context'].endsWith('/$deletedEntity')) || row['@removed'] !== undefined;

function idOf(row: Record<string, unknown>, primaryIdAttribute: string): string | null {
  for (const raw of [row.id, row[primaryIdAttribute]]) {
    if (typeof raw === 'string' && GUID.test(raw.toLowerCase())) return raw.toLowerCase();
  }
  const ref = row['@id'] ?? row['@odata.id'];
  const m = typeof ref === 'string' ? /\(\{?([0-9a-fA-F-]{36})\}?\)\s*$/.exec(ref) : null;
  return m && GUID.test(m[1]!.toLowerCase()) ? m[1]!.toLowerCase() : null;
}

/**
 * The deletions among the entries of a delta page (`$deletedEntity` with `id`, or OData 4.01 `@removed` with the key
 * or `@id`): their record ids (lower-case GUIDs), and how many deletions had no usable id. Changed rows are ignored:
 * the run's `modifiedon` windows carry them with every column.
 */
export function deletedIds(rows: readonly Record<string, unknown>[], primaryIdAttribute: string): { ids: string[]; unusable: number } {
  const ids: string[] = [];
  let unusable = 0;
  for (const row of rows) {
    if (!isDeletion(row)) continue;
    const id = idOf(row, primaryIdAttribute);
    if (id === null) unusable++;
    else ids.push(id);
  }
  return { ids, unusable };
}

/** What the changed (not deleted) entries of delta pages say about when they were modified. */
export interface ChangedTimes {
  /** The latest `modifiedon` among them (epoch ms), null when none had one. */
  maxMs: number | null;
  /** Changed entries without a readable `modifiedon` (a link taken before it was selected). */
  unknown: number;
}

/** Folds the changed entries of a delta page into `into` (their `modifiedon`, selected with the primary key). */
export function changedTimes(rows: readonly Record<string, unknown>[], into: ChangedTimes = { maxMs: null, unknown: 0 }): ChangedTimes {
  for (const row of rows) {
    if (isDeletion(row)) continue;
    const ms = typeof row.modifiedon === 'string' ? Date.parse(row.modifiedon) : NaN;
    if (Number.isNaN(ms)) into.unknown++;
    else if (into.maxMs === null || ms > into.maxMs) into.maxMs = ms;
  }
  return into;
}

/**
 * The `maxModifiedOn` a delta task reports (the coordinator's clean-link rule): the latest `modifiedon` of the rows it
 * saw changed, or, when some had none, at least the new link's snapshot time (a row is modified before its snapshot;
 * the run's T0 when that cannot be read either); null when it saw no changed row.
 */
export function deltaMaxModifiedOn(times: ChangedTimes, newLink: string, runStartMs: number): number | null {
  if (times.unknown === 0) return times.maxMs;
  const snapshot = parseDeltaToken(newLink)?.issuedMs ?? runStartMs;
  return Math.max(times.maxMs ?? snapshot, snapshot, runStartMs);
}

/** The record headers of a delete tombstone of `task`, versioned by the new delta link's token (see above). */
export function deleteHeaders(task: SyncTask, token: DeltaToken): RecordHeaders {
  return {
    runId: task.runId,
    taskId: task.taskId,
    syncKind: task.kind,
    runStartMs: task.runStart.getTime(),
    modifiedOnMs: token.issuedMs,
    version: token.version,
  };
}
