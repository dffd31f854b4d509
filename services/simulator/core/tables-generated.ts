/**
 * Generated custom tables (`--generated-tables N`): an organisation with hundreds of tables, most of them small, as
 * real Dynamics 365 organisations have (standard, custom, activity and configuration tables). Table `k` (1-based)
 * is `new_gen<kkk>` (entity set `new_gen<kkk>s`) and everything about it is a pure function of (seed, k):
 *  - its size: about 8 % are empty, the others hold `maxRows × u^3.5` rows (u uniform in [0, 1)), so most tables are
 *    small and a few reach `maxRows` (500 tables of at most 2,000 rows hold about 200,000 rows);
 *  - its columns: the system columns (owner on about 70 % of the tables), a primary name, and 2 to 20 columns drawn
 *    from every syncable kind (text, memo, whole numbers, decimals of precision 0 to 10, doubles, money with the
 *    currency columns, two-option, choice and multi-choice with their own option sets, date-times of the three
 *    behaviours, lookups, customer, unique identifiers);
 *  - change tracking: off on about 6 % of the tables.
 * Values at the limits of every type appear in their rows as in every table (extremes.ts: rows 0 and 1, about 0.2 %
 * of the others). Pure.
 */
import { between, combine, hashString, next, pick, unit } from './hash.ts';
import type { ColumnDef, TableDef } from './schema.ts';
import { YES_NO, tableDef } from './gen-system-columns.ts';
import { bigint, bool, col, dateOnly, dateTime, decimal, double, guid, int, lookup, multi, nullable, option, options, text } from './gen-columns.ts';
import { currencyColumns, money } from './tables-reference.ts';
import { PRODUCTS, WORDS } from './gen-words.ts';

/** Largest row count of a generated table by default. */
export const DEFAULT_GENERATED_MAX_ROWS = 2_000;

/** Share of empty tables, per mille. */
const EMPTY_PERMILLE = 80;
/** Share of tables without change tracking, per mille. */
const UNTRACKED_PERMILLE = 60;
/** Share of user-owned tables, per mille. */
const OWNED_PERMILLE = 700;
/** The size distribution's exponent: larger means more small tables. */
const SIZE_EXPONENT = 3.5;

/** The logical name of generated table `k` (1-based). */
export function generatedTableName(k: number): string {
  return `new_gen${String(k).padStart(3, '0')}`;
}

/** The base row count of generated table `k` for `seed`, at most `maxRows`. */
export function generatedRows(seed: number, k: number, maxRows: number): number {
  const h = combine(hashString('generated-size', seed), k);
  if (h % 1000 < EMPTY_PERMILLE) return 0;
  return Math.floor(maxRows * unit(next(h)) ** SIZE_EXPONENT);
}

type Maker = (name: string, h: number) => ColumnDef[];

const MAKERS: readonly Maker[] = [
  (n, h) => [col(n, 'String', 'Text', { custom: true, maxLength: between(h, 20, 400), gen: nullable(between(next(h), 0, 500), text(1, 8)) })],
  (n, h) => [col(n, 'Memo', 'Notes', { custom: true, maxLength: between(h, 2_000, 10_000), gen: nullable(400, text(3, 40)) })],
  (n, h) => [col(n, 'Integer', 'Number', { custom: true, gen: nullable(between(h, 0, 300), int(-1_000, 1_000_000)) })],
  (n) => [col(n, 'BigInt', 'Big Number', { custom: true, gen: nullable(200, bigint(0, 9_000_000_000_000)) })],
  (n, h) => {
    const precision = between(h, 0, 10);
    return [col(n, 'Decimal', 'Amount', { custom: true, precision, gen: nullable(200, decimal(-10_000, 1_000_000, precision)) })];
  },
  (n) => [col(n, 'Double', 'Measure', { custom: true, precision: 3, gen: nullable(200, double(-10_000, 10_000, 3)) })],
  (n) => [col(n, 'Money', 'Value', { custom: true, precision: 2, gen: money(0, 500_000, 300) })],
  (n, h) => [col(n, 'Boolean', 'Flag', { custom: true, options: YES_NO, gen: bool(unit(h)) })],
  (n, h) => {
    const choices = options([...new Set(Array.from({ length: between(h, 2, 8) }, (_, j) => pick(combine(h, j), WORDS)))], 100_000_000);
    return [col(n, 'Picklist', 'Choice', { custom: true, options: choices, optionSetName: n, gen: nullable(150, option(choices)) })];
  },
  (n, h) => {
    const choices = options([...new Set(Array.from({ length: between(h, 2, 6) }, (_, j) => pick(combine(h, j), PRODUCTS)))], 100_000_000);
    return [col(n, 'MultiSelectPicklist', 'Choices', { custom: true, options: choices, optionSetName: n, gen: multi(choices) })];
  },
  (n, h) => {
    const behavior = pick(h, ['UserLocal', 'DateOnly', 'TimeZoneIndependent'] as const);
    return [col(n, 'DateTime', 'Date', { custom: true, behavior, gen: nullable(200, behavior === 'DateOnly' ? dateOnly(1_000, 365) : dateTime(1_000)) })];
  },
  (n, h) => {
    const target = pick(h, ['account', 'contact', 'systemuser']);
    return [
      col(n, 'Lookup', 'Related', { custom: true, targets: [target], gen: nullable(300, lookup([target])) }),
      col(`${n}name`, 'String', 'Related Name', { attributeOf: n, maxLength: 160 }),
    ];
  },
  (n) => [
    col(n, 'Customer', 'Customer', { custom: true, targets: ['account', 'contact'], gen: nullable(300, lookup(['account', 'contact'], [1, 1])) }),
    col(`${n}name`, 'String', 'Customer Name', { attributeOf: n, maxLength: 160 }),
    col(`${n}type`, 'EntityName', 'Customer Type', { attributeOf: n }),
  ],
  (n) => [col(n, 'Uniqueidentifier', 'External Id', { custom: true, gen: nullable(300, guid()) })],
];

/** The custom columns of `table` from its hash: 2 to 20 of them, of varied kinds (money brings the currency columns). */
function customColumns(table: string, h: number): ColumnDef[] {
  const count = between(h, 2, 20);
  const cols: ColumnDef[] = [];
  let money = false;
  for (let j = 0; j < count; j++) {
    const hj = combine(h, j + 1);
    const maker = MAKERS[hj % MAKERS.length]!;
    const made = maker(`new_c${j + 1}`, next(hj));
    money ||= made.some((c) => c.kind === 'Money');
    // local option sets are named after their table and column, as Dataverse names them
    cols.push(...made.map((c) => (c.optionSetName ? { ...c, optionSetName: `${table}_${c.logicalName}` } : c)));
  }
  return money ? [...cols, ...currencyColumns] : cols;
}

/** Generated table `k` (1-based) of `seed`, holding at most `maxRows` rows. */
export function generatedTable(seed: number, k: number, maxRows = DEFAULT_GENERATED_MAX_ROWS): TableDef {
  const name = generatedTableName(k);
  const h = combine(hashString('generated-table', seed), k);
  const rows = generatedRows(seed, k, maxRows);
  const word = pick(next(h), WORDS);
  const title = `${word.charAt(0).toUpperCase()}${word.slice(1)} ${k}`;
  const owner = h % 1000 < OWNED_PERMILLE;
  return tableDef({
    logicalName: name,
    schemaName: `new_Gen${k}`,
    entitySetName: `${name}s`,
    displayName: title,
    displayCollectionName: `${title}s`,
    primaryId: `${name}id`,
    primaryName: 'new_name',
    changeTracking: combine(h, 0x7ac) % 1000 >= UNTRACKED_PERMILLE,
    custom: true,
    ownership: owner ? 'UserOwned' : 'OrganizationOwned',
    objectTypeCode: 11_000 + k,
    rows: () => rows,
    columns: [
      col('new_name', 'String', 'Name', { custom: true, maxLength: 100, gen: (hh, i) => `${title} #${i} (${hh % 1000})` }),
      ...customColumns(name, combine(h, 0xc01)),
    ],
  });
}

/** Generated tables 1..`count` of `seed`. */
export function generatedTables(seed: number, count: number, maxRows = DEFAULT_GENERATED_MAX_ROWS): TableDef[] {
  return Array.from({ length: count }, (_, i) => generatedTable(seed, i + 1, maxRows));
}
