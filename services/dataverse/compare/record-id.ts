/**
 * The record id of a row Dataverse listed (pure): the primary id column as a lower-case GUID, the form `_id` has in
 * the store. A row without one cannot be attributed to a stored document.
 */

/** A lower-case GUID, as stored in `_id`. */
export const RECORD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The lower-cased primary id of a listed row, or null when it has none that is a GUID. */
export function listedId(row: Record<string, unknown>, primaryIdAttribute: string): string | null {
  const value = row[primaryIdAttribute];
  const id = typeof value === 'string' ? value.toLowerCase() : '';
  return RECORD_ID.test(id) ? id : null;
}
