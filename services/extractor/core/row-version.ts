/**
 * The version a row travels with (Kafka headers `source-modifiedon` and `source-version`): Dataverse `modifiedon`
 * (ISO text) and `versionnumber` (a rowversion, kept exact as the text the exact-number parser produced, in canonical
 * form). Pure.
 */
import { SyncError } from '../../shared/errors.ts';
import { MODIFIED_ON, VERSION_NUMBER } from './window-query.ts';

/** The version of one row. */
export interface RowVersion {
  modifiedOnMs: number;
  /**
   * `versionnumber` as canonical decimal text (what the `source-version` header carries; exact to the int64 limits),
   * `0` when the table has none (the loader then orders by `modifiedon`).
   */
  version: string;
}

const INTEGER = /^-?\d{1,19}$/;
/** An integer text that is already canonical: no leading zero, no `-0`. */
const CANONICAL = /^(0|-?[1-9]\d*)$/;

/** Reads `modifiedon` and `versionnumber` of a row; RECORD_INVALID (to the DLQ) when they are unusable. */
export function rowVersion(row: Record<string, unknown>, table: string): RowVersion {
  const modified = row[MODIFIED_ON];
  const ms = typeof modified === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(modified) ? Date.parse(modified) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new SyncError('RECORD_INVALID', `row of ${table} has no valid modifiedon`, { details: { table, column: MODIFIED_ON } });
  }
  const raw = row[VERSION_NUMBER];
  if (raw === undefined || raw === null) return { modifiedOnMs: ms, version: '0' };
  const text = typeof raw === 'number' ? String(raw) : raw;
  if (typeof text !== 'string' || !INTEGER.test(text)) {
    throw new SyncError('RECORD_INVALID', `row of ${table} has a versionnumber that is not an integer`, { details: { table, column: VERSION_NUMBER } });
  }
  return { modifiedOnMs: ms, version: CANONICAL.test(text) ? text : BigInt(text).toString() };
}
