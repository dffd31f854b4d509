/** Columns every simulated table has: key, audit columns, version number, owner and state/status. */
import { combine, unit } from './hash.ts';
import type { ColumnDef, OptionDef, TableDef } from './schema.ts';
import { col, lookup } from './gen-columns.ts';

/** State options of most tables. */
export const ACTIVE_STATES: OptionDef[] = [
  { value: 0, label: 'Active' },
  { value: 1, label: 'Inactive' },
];

/** Status options matching {@link ACTIVE_STATES}. */
export const ACTIVE_STATUSES: OptionDef[] = [
  { value: 1, label: 'Active', state: 0 },
  { value: 2, label: 'Inactive', state: 1 },
];

/** Options of the Yes/No Boolean. */
export const YES_NO: OptionDef[] = [
  { value: 0, label: 'No' },
  { value: 1, label: 'Yes' },
];

/** Chooses the statecode of a row from the row hash (so state and status agree). */
function stateOf(row: number, states: readonly OptionDef[], activeShare: number): number {
  const u = unit(combine(row, 0x57a7e));
  if (u < activeShare || states.length === 1) return states[0]?.value ?? 0;
  const k = 1 + Math.floor(((u - activeShare) / (1 - activeShare)) * (states.length - 1));
  return states[Math.min(k, states.length - 1)]?.value ?? 0;
}

/** Options for {@link systemColumns}. */
export interface SystemColumnOptions {
  readonly pk: string;
  readonly entity: string;
  readonly owner: boolean;
  readonly states?: readonly OptionDef[];
  readonly statuses?: readonly OptionDef[];
  /** Share of rows in the first state. */
  readonly activeShare?: number;
}

/** The system columns of a table. */
export function systemColumns(o: SystemColumnOptions): ColumnDef[] {
  const states = o.states ?? ACTIVE_STATES;
  const statuses = o.statuses ?? ACTIVE_STATUSES;
  const share = o.activeShare ?? 0.85;
  const cols: ColumnDef[] = [
    col(o.pk, 'Uniqueidentifier', o.entity, { system: 'pk' }),
    col('createdon', 'DateTime', 'Created On', { system: 'createdon', behavior: 'UserLocal' }),
    col('modifiedon', 'DateTime', 'Modified On', { system: 'modifiedon', behavior: 'UserLocal' }),
    col('versionnumber', 'BigInt', 'Version Number', { system: 'versionnumber' }),
    col('createdby', 'Lookup', 'Created By', { targets: ['systemuser'], gen: lookup(['systemuser']) }),
    col('createdbyname', 'String', 'Created By Name', { attributeOf: 'createdby', maxLength: 100 }),
    col('modifiedby', 'Lookup', 'Modified By', { targets: ['systemuser'], gen: lookup(['systemuser']) }),
    col('modifiedbyname', 'String', 'Modified By Name', { attributeOf: 'modifiedby', maxLength: 100 }),
    col('statecode', 'State', 'Status', {
      options: states,
      optionSetName: `${o.entity.toLowerCase()}_statecode`,
      gen: (_h, _i, _c, row) => stateOf(row, states, share),
    }),
    col('statuscode', 'Status', 'Status Reason', {
      options: statuses,
      optionSetName: `${o.entity.toLowerCase()}_statuscode`,
      gen: (h, _i, _c, row) => {
        const state = stateOf(row, states, share);
        const candidates = statuses.filter((s) => s.state === state);
        return candidates[h % Math.max(1, candidates.length)]?.value ?? null;
      },
    }),
    col('importsequencenumber', 'Integer', 'Import Sequence Number', { gen: () => null }),
  ];
  if (o.owner) {
    cols.push(
      col('ownerid', 'Owner', 'Owner', { targets: ['systemuser', 'team'], gen: lookup(['systemuser', 'team'], [85, 15]) }),
      col('owneridname', 'String', 'Owner Name', { attributeOf: 'ownerid', maxLength: 100 }),
      col('owneridtype', 'EntityName', 'Owner Type', { attributeOf: 'ownerid' }),
    );
  }
  return cols;
}

/** A table as written down: its facts, and its own columns; {@link tableDef} adds the system columns. */
export interface TableFacts extends TableDef {
  /** Schema name (`Account`): names the primary key column and the state and status option sets. */
  readonly schemaName: string;
  /** States, statuses and share of active rows, when not {@link ACTIVE_STATES} and 85% active. */
  readonly lifecycle?: Pick<SystemColumnOptions, 'states' | 'statuses' | 'activeShare'>;
}

/** The table of `facts`: the system columns (key `primaryId`, owner columns when user-owned) before its own columns. */
export function tableDef({ schemaName, lifecycle, columns, ...def }: TableFacts): TableDef {
  const system = systemColumns({ pk: def.primaryId, entity: schemaName, owner: def.ownership === 'UserOwned', ...lifecycle });
  return { ...def, columns: [...system, ...columns] };
}
