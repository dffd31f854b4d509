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
import type { RecordHeaders } from '../../shared/record-headers.ts';
import type { SyncTask } from '../../shared/control-messages.ts';

/** A decoded delta token. */
export interface DeltaToken {
  version: bigint;
  issuedMs: number;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TOKEN = /^(\d{1,19})!(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2})$/;

/** The path of the initial change-tracking scan: only the primary key, so the scan is small; ends with the link. */
export function initialDeltaPath(entitySetName: string, primaryIdAttribute: string): string {
  return `${entitySetName}?$select=${primaryIdAttribute}`;
}

/** The token of a delta link (`$deltatoken`, URL-decoded), or null when it is absent or not in Dataverse's form. */
export function parseDeltaToken(link: string): DeltaToken | null {
  let raw: string | null;
  try {
    raw = new URL(link, 'https://x.invalid/').searchParams.get('$deltatoken');
  } catch {
    return null;
  }
  const m = raw === null ? null : TOKEN.exec(raw.trim());
  if (!m) return null;
  const [mo, d, y, h, mi, s] = m.slice(2).map(Number) as [number, number, number, number, number, number];
  const issuedMs = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(issuedMs);
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null;
  return { version: BigInt(m[1]!), issuedMs };
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
