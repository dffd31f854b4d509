/**
 * The Web API requests of a window (reference A4 and "Implications for our extractor"): an explicit `$select` of
 * the table's synced columns (their wire names), the half-open `modifiedon` filter, no `$orderby` (primary-key
 * order, the cheap path), and `odata.include-annotations` only when a column needs them: lookups need
 * `lookuplogicalname` (target table) and FormattedValue (name); choices without option labels need FormattedValue.
 * Paths are relative to the Web API root and URL-encoded. Pure.
 */
import { SyncError } from '../../shared/errors.ts';
import type { TableDefinition } from '../../dataverse/model/table-definition.ts';
import { windowFilter, type Window } from './window.ts';

/** The column every window filters on. */
export const MODIFIED_ON = 'modifiedon';
/** The column that versions a row (Kafka header `source-version`). */
export const VERSION_NUMBER = 'versionnumber';

const FORMATTED = 'OData.Community.Display.V1.FormattedValue';
const LOOKUP_TABLE = 'Microsoft.Dynamics.CRM.lookuplogicalname';
const CURRENCY_COLUMN = '_transactioncurrencyid_value';
const REFERENCE_TYPES = new Set(['LookupType', 'CustomerType', 'OwnerType']);
const CHOICE_TYPES = new Set(['PicklistType', 'StateType', 'StatusType', 'MultiSelectPicklistType', 'BooleanType']);

/** A page request: the path and the annotations to ask for. */
export interface WindowQuery {
  path: string;
  annotations: string[];
}

/** The `$select` list: every synced column's wire name, plus the currency lookup when money is synced. */
export function selectList(table: TableDefinition): string[] {
  const names = table.columns.map((c) => c.wireName);
  if (table.columns.some((c) => c.dataverseType === 'MoneyType') && !names.includes(CURRENCY_COLUMN)) names.push(CURRENCY_COLUMN);
  return names;
}

/**
 * The annotations the row mapper of `table` reads; empty when it needs none. FormattedValue comes for every column
 * once asked for (it roughly doubles the payload), so `lookupNames: false` drops it for lookups (their `name` is then
 * null) unless a choice column has no option labels.
 */
export function annotationsFor(table: TableDefinition, lookupNames = true): string[] {
  const lookups = table.columns.some((c) => REFERENCE_TYPES.has(c.dataverseType));
  const unlabelled = table.columns.some((c) => CHOICE_TYPES.has(c.dataverseType) && (!c.options || Object.keys(c.options).length === 0));
  const formatted = unlabelled || (lookups && lookupNames);
  return [...(lookups ? [LOOKUP_TABLE] : []), ...(formatted ? [FORMATTED] : [])];
}

/** Throws CONFIG_INVALID when the table cannot be windowed (no `modifiedon` column is synced). */
export function assertWindowable(table: TableDefinition): void {
  if (!table.columns.some((c) => c.logicalName === MODIFIED_ON)) {
    throw new SyncError('CONFIG_INVALID', `table ${table.logicalName} has no readable modifiedon column, so it cannot be synced by time windows`, {
      details: { table: table.logicalName },
    });
  }
}

const q = (s: string) => encodeURIComponent(s);

/**
 * The change-tracking read of a whole table (`Prefer: odata.track-changes`, which allows no `$filter`): every live
 * row with the window's columns, ending with the table's delta link. For the one-go window that takes the link.
 */
export function trackedTableQuery(table: TableDefinition): WindowQuery {
  assertWindowable(table);
  return { path: `${table.entitySetName}?$select=${selectList(table).join(',')}`, annotations: annotationsFor(table) };
}

/** The first page of a window: `<set>?$select=…&$filter=modifiedon ge … and modifiedon lt …`. */
export function windowQuery(table: TableDefinition, w: Window): WindowQuery {
  assertWindowable(table);
  const whole = trackedTableQuery(table);
  return { ...whole, path: `${whole.path}&$filter=${q(windowFilter(w, MODIFIED_ON))}` };
}

/**
 * The count probe of a window: the primary id only, one row, `$count=true`, with the limit-exceeded annotation
 * so a count at the 5,000 cap is unambiguous.
 */
export function countProbeQuery(table: TableDefinition, w: Window): WindowQuery {
  assertWindowable(table);
  return {
    path: `${table.entitySetName}?$select=${table.primaryIdAttribute}&$filter=${q(windowFilter(w, MODIFIED_ON))}&$top=1&$count=true`,
    annotations: ['Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded'],
  };
}

/** True when rows of `table` need the currency map (it has money columns). */
export function needsCurrencies(table: TableDefinition): boolean {
  return table.columns.some((c) => c.dataverseType === 'MoneyType');
}

/** The request of every currency's ISO code. */
export const CURRENCIES_PATH = 'transactioncurrencies?$select=transactioncurrencyid,isocurrencycode';

/** Folds currency rows into the map the row mapper takes (lower-case GUID → ISO code); skips incomplete rows. */
export function currencyMap(rows: Iterable<Record<string, unknown>>, into = new Map<string, string>()): Map<string, string> {
  for (const row of rows) {
    const id = row.transactioncurrencyid;
    const iso = row.isocurrencycode;
    if (typeof id === 'string' && typeof iso === 'string' && iso !== '') into.set(id.toLowerCase(), iso);
  }
  return into;
}
