/**
 * Which tables `dynsync verify` compares (pure): the ones asked for with `--tables`, or the connection's selection
 * (`all`: every syncable table of the organisation). A table asked for that the connection does not sync, or that
 * the organisation does not have, is an operator mistake (CONFIG_INVALID, DATAVERSE_NOT_FOUND: exit 2); a table of
 * the connection's own list that the organisation no longer has is compared as nothing and reported incomplete.
 */
import { SyncError } from '../../shared/errors.ts';

/** The tables to compare, and those of the connection's list that the organisation does not have. */
export interface VerifyTables {
  tables: string[];
  absent: string[];
}

/**
 * `requested`: the `--tables` list (undefined or `all`: the connection's selection); `selection`: the connection's
 * `tables` setting; `syncable`: the logical names of the organisation's syncable tables.
 */
export function verifyTables(connection: string, requested: 'all' | readonly string[] | undefined, selection: 'all' | readonly string[], syncable: readonly string[]): VerifyTables {
  const known = new Set(syncable);
  const selected = selection === 'all' ? [...syncable].sort() : [...selection];
  if (requested === undefined || requested === 'all') return { tables: selected.filter((t) => known.has(t)), absent: selected.filter((t) => !known.has(t)) };
  for (const t of requested) {
    if (!selected.includes(t) && (selection !== 'all' || known.has(t))) {
      throw new SyncError('CONFIG_INVALID', `--tables: connection "${connection}" does not sync table "${t}" (its tables: ${selected.join(', ') || 'none'})`);
    }
    if (!known.has(t)) throw new SyncError('DATAVERSE_NOT_FOUND', `--tables: table "${t}" does not exist in this organisation, or is not syncable (run \`dynsync tables ${connection}\` to list them)`);
  }
  return { tables: [...requested], absent: [] };
}
