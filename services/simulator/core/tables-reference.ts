/** Small reference tables: currencies, users and teams. Their row counts do not follow `--rows`. */
import type { GenFn, TableDef } from './schema.ts';
import { ACTIVE_STATES, ACTIVE_STATUSES, tableDef } from './gen-system-columns.ts';
import { textOfLength } from './tricky-text.ts';
import { bool, col, constant, decimal, options, option, personName, text } from './gen-columns.ts';

/** The seeded currencies, in row order (row 0 is the base currency). */
export const CURRENCIES = [
  { iso: 'USD', name: 'US Dollar', symbol: '$', rate: '1.0000000000', precision: 2 },
  { iso: 'EUR', name: 'Euro', symbol: '€', rate: '0.9212000000', precision: 2 },
  { iso: 'GBP', name: 'Pound Sterling', symbol: '£', rate: '0.7893000000', precision: 2 },
  { iso: 'JPY', name: 'Yen', symbol: '¥', rate: '151.4700000000', precision: 0 },
  { iso: 'CHF', name: 'Swiss Franc', symbol: 'CHF', rate: '0.8834000000', precision: 2 },
  // ISO 4217's code for testing: the currency of the extreme rows (4 decimals, so money keeps 4 significant decimals),
  // itself at the limits (name and symbol at their maximum length, a rate beyond what a double holds)
  { iso: 'XTS', name: textOfLength(100, 5), symbol: textOfLength(10, 57), rate: '99999999999.9999999999', precision: 4 },
] as const;

/** Ordinary rows use the first currencies; the last one, XTS, only extreme rows (extremes.ts). */
export const TEST_CURRENCY_INDEX = CURRENCIES.length - 1;

const currency = (f: (c: (typeof CURRENCIES)[number]) => string | number) => (_h: number, i: number) => {
  const c = CURRENCIES[i % CURRENCIES.length];
  return c ? f(c) : null;
};

export const transactioncurrency: TableDef = tableDef({
  logicalName: 'transactioncurrency',
  schemaName: 'TransactionCurrency',
  entitySetName: 'transactioncurrencies',
  displayName: 'Currency',
  displayCollectionName: 'Currencies',
  primaryId: 'transactioncurrencyid',
  primaryName: 'currencyname',
  changeTracking: true,
  custom: false,
  ownership: 'OrganizationOwned',
  objectTypeCode: 9105,
  rows: () => CURRENCIES.length,
  lifecycle: { activeShare: 1 },
  columns: [
    col('currencyname', 'String', 'Currency Name', { maxLength: 100, gen: currency((c) => c.name) }),
    col('isocurrencycode', 'String', 'Currency Code', { maxLength: 5, gen: currency((c) => c.iso) }),
    col('currencysymbol', 'String', 'Currency Symbol', { maxLength: 10, gen: currency((c) => c.symbol) }),
    col('exchangerate', 'Decimal', 'Exchange Rate', { precision: 10, gen: currency((c) => c.rate) }),
    col('currencyprecision', 'Integer', 'Currency Precision', { gen: currency((c) => c.precision) }),
  ],
});

export const systemuser: TableDef = tableDef({
  logicalName: 'systemuser',
  schemaName: 'SystemUser',
  entitySetName: 'systemusers',
  displayName: 'User',
  displayCollectionName: 'Users',
  primaryId: 'systemuserid',
  primaryName: 'fullname',
  changeTracking: true,
  custom: false,
  ownership: 'OrganizationOwned',
  objectTypeCode: 8,
  rows: () => 20,
  lifecycle: { activeShare: 0.95 },
  columns: [
    col('fullname', 'String', 'Full Name', {
      maxLength: 200,
      gen: (h, i, c, r) => (i === 0 ? '# dynsync-simulator' : (personName('full')(h, i, c, r) as string)),
    }),
    col('firstname', 'String', 'First Name', { maxLength: 64, gen: personName('first') }),
    col('lastname', 'String', 'Last Name', { maxLength: 64, gen: personName('last') }),
    col('internalemailaddress', 'String', 'Primary Email', {
      maxLength: 100,
      gen: (h, i, c, r) => `${String(personName('first')(h, i, c, r)).toLowerCase()}.${i}@contoso.test`,
    }),
    col('isdisabled', 'Boolean', 'Status', { options: [{ value: 0, label: 'Enabled' }, { value: 1, label: 'Disabled' }], gen: bool(0.05) }),
    col('accessmode', 'Picklist', 'Access Mode', {
      options: [...options(['Read-Write', 'Administrative', 'Read'], 0), { value: 4, label: 'Non-interactive' }],
      gen: (h, i) => (i === 0 ? 4 : h % 10 === 0 ? 2 : 0),
    }),
  ],
});

export const team: TableDef = tableDef({
  logicalName: 'team',
  schemaName: 'Team',
  entitySetName: 'teams',
  displayName: 'Team',
  displayCollectionName: 'Teams',
  primaryId: 'teamid',
  primaryName: 'name',
  changeTracking: true,
  custom: false,
  ownership: 'OrganizationOwned',
  objectTypeCode: 9,
  rows: () => 4,
  lifecycle: { states: ACTIVE_STATES.slice(0, 1), statuses: ACTIVE_STATUSES.slice(0, 1) },
  columns: [
    col('name', 'String', 'Team Name', { maxLength: 160, gen: (_h, i) => ['Sales EMEA', 'Sales Americas', 'Service Desk', 'Key Accounts'][i] ?? `Team ${i}` }),
    col('teamtype', 'Picklist', 'Team Type', { options: options(['Owner', 'Access'], 0), gen: option(options(['Owner', 'Access'], 0)) }),
    col('isdefault', 'Boolean', 'Is Default', { options: [{ value: 0, label: 'No' }, { value: 1, label: 'Yes' }], gen: constant(false) }),
    col('description', 'Memo', 'Description', { maxLength: 2000, gen: text(3, 12) }),
  ],
});

/** The currency (index into {@link CURRENCIES}) of a row, from its row hash: 60% base currency. */
export function currencyIndex(row: number): number {
  const u = (row >>> 7) % 100;
  return u < 60 ? 0 : 1 + (u % (TEST_CURRENCY_INDEX - 1));
}

/** Money columns: the row's transaction currency and exchange rate (agreeing with each other). */
export const currencyColumns = [
  col('transactioncurrencyid', 'Lookup', 'Currency', {
    targets: ['transactioncurrency'],
    gen: (_h, _i, ctx, row) => ctx.guidOf('transactioncurrency', currencyIndex(row)),
  }),
  col('transactioncurrencyidname', 'String', 'Currency Name', { attributeOf: 'transactioncurrencyid', maxLength: 100 }),
  col('exchangerate', 'Decimal', 'Exchange Rate', { precision: 10, gen: (_h, _i, _c, row) => CURRENCIES[currencyIndex(row)]?.rate ?? null }),
];

/** A money amount in [min, max] in the row's currency, on the wire with 4 decimals, rounded to the currency precision. */
export function money(min: number, max: number, nullPermille = 0): GenFn {
  return (h, i, ctx, row) => {
    if (h % 1000 < nullPermille) return null;
    const c = CURRENCIES[currencyIndex(row)] ?? CURRENCIES[0];
    const scaleUp = c.iso === 'JPY' ? 150 : 1;
    return decimal(min * scaleUp, max * scaleUp, 4, 10 ** (4 - c.precision))(h, i, ctx, row);
  };
}
