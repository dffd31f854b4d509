/**
 * The identifiers that travel between services (architecture.md §4), defined once: connection ids, table logical
 * names, and the ids built from them (task ids of reconciliation, watermark document ids). Pure.
 */

/** Allowed connection ids: lower-case letters, digits, `_` and `-`, up to 48 characters. */
export const CONNECTION_ID = /^[a-z0-9][a-z0-9_-]{0,47}$/;

/** A table logical name as connections, commands and topics carry it. */
export const TABLE_NAME = /^[a-z][a-z0-9_]{0,127}$/;

/** The task id written in the headers of a full run's reconciliation tombstones of `table`. */
export function reconcileTaskId(runId: string, table: string): string {
  return `${runId}/${table}/reconcile`;
}

/** The `_id` of a table's watermark document: `<connection>/<table>`. */
export function watermarkId(connection: string, table: string): string {
  return `${connection}/${table}`;
}

/** A watermark document id split at its first `/` (a connection id has none). */
export function parseWatermarkId(id: string): { connection: string; table: string } {
  const slash = id.indexOf('/');
  return slash < 0 ? { connection: id, table: '' } : { connection: id.slice(0, slash), table: id.slice(slash + 1) };
}

/** The `_id` range of a connection's watermarks: `[<connection>/, <connection>0)` ('0' follows '/'). */
export function watermarkIdRange(connection: string): { $gte: string; $lt: string } {
  return { $gte: `${connection}/`, $lt: `${connection}0` };
}
