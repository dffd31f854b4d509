import { describe, expect, it } from 'vitest';
import { compareExact, exactNumberReviver } from './exact-number.ts';
import { BEYOND_DOUBLE, DATEONLY_MAX, DATEONLY_MIN, DATETIME_MAX, DATETIME_MIN, HUGE_MEMO_COLUMN, HUGE_MEMO_LENGTH, INT64_MAX, INT64_MIN, MONEY_MAX, MONEY_MIN, decimalVariants, nullableInExtremes } from './extremes.ts';
import { evaluate } from './filter-eval.ts';
import { parseFilter } from './filter-parser.ts';
import { guidFor, guidSpace } from './guid.ts';
import { hashString } from './hash.ts';
import { dataColumns, type ColumnDef, type TableDef, type Value } from './schema.ts';
import { TableModel } from './table-model.ts';
import { TABLES } from './tables-all.ts';
import { CURRENCIES, TEST_CURRENCY_INDEX } from './tables-reference.ts';
import { textOfLength, TRICKY_TEXT } from './tricky-text.ts';
import { fromJson, jsonFragment } from './value-codec.ts';

const anchorMs = Date.UTC(2026, 0, 1);
const table = (name: string): TableDef => TABLES.find((t) => t.logicalName === name)!;

function model(name: string, rows: number, seed = 1): TableModel {
  const def = table(name);
  const m = new TableModel(def, rows, 1_000, { seed, anchorMs });
  m.attach({ anchorMs, rowsOf: (t) => (t === 'transactioncurrency' ? CURRENCIES.length : 1_000), guidOf: (t, i) => guidFor(guidSpace(hashString(t)), i) });
  return m;
}

const column = (t: TableDef, name: string): ColumnDef => t.columns.find((c) => c.logicalName === name)!;
/** Every value of `col` in the first `n` rows. */
const valuesOf = (m: TableModel, col: string, n: number): Value[] => Array.from({ length: n }, (_, i) => m.baseValue(i, column(m.def, col)));

describe('values at the limits in the first page of new_widget', () => {
  const m = model('new_widget', 10_000);

  it.each<[string, Value[]]>([
    ['new_budget', [MONEY_MAX, MONEY_MIN, '922337203685476.9999', '-922337203685476.9999', '0.0001', '-0.0001', '0.0000']],
    ['new_serialnumber', [INT64_MAX, INT64_MIN, BEYOND_DOUBLE, `-${BEYOND_DOUBLE}`, '0']],
    ['new_quantity', [2_147_483_647, -2_147_483_648, 0]],
    ['new_ratio', decimalVariants(10)],
    ['new_rating', ['100000000000.00', '-100000000000.00', '99999999999.99', '0.01']],
    ['new_score', [0.1, -0.3, 0.00001, 100_000_000_000, -100_000_000_000]],
    ['new_releasedate', [DATEONLY_MIN, DATEONLY_MAX]],
    ['new_launchedon', [Date.parse(DATETIME_MIN), Date.parse(DATETIME_MAX)]],
    ['new_lastcheckedon', [Date.parse(DATETIME_MIN), Date.parse(DATETIME_MAX)]],
    ['new_externalid', ['00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff']],
  ])('%s holds every variant', (col, expected) => {
    const seen = valuesOf(m, col, 8);
    for (const v of expected) expect(seen).toContain(v);
  });

  it('decimals have the full range and exactly their column scale', () => {
    expect(decimalVariants(10)).toContain('99999999999.9999999999');
    expect(decimalVariants(10)).toContain('0.0000000001');
    expect(decimalVariants(0)).toEqual(['100000000000', '-100000000000', '99999999999', '-99999999999', '1', '-1', '0']);
  });

  it('strings reach the column maximum length with multi-byte text, emoji, quotes, backslashes and control characters', () => {
    for (const c of dataColumns(m.def).filter((x) => x.kind === 'String')) {
      const lengths = valuesOf(m, c.logicalName, 8).map((v) => (typeof v === 'string' ? v.length : 0));
      expect(Math.max(...lengths), c.logicalName).toBe(c.maxLength);
    }
    const name = String(m.baseValue(0, column(m.def, 'new_description')));
    for (const piece of ['😀', '中文', 'العربية', '"double"', '\\', '\t', '\n', '\u0001', '\u2028']) expect(name).toContain(piece);
  });

  it('a huge memo of hundreds of kilobytes is in the first page', () => {
    const sizes = valuesOf(m, HUGE_MEMO_COLUMN, 8).map((v) => Buffer.byteLength(String(v ?? '')));
    expect(Math.max(...sizes)).toBeGreaterThan(HUGE_MEMO_LENGTH);
    expect(Math.max(...sizes)).toBeLessThan(600_000);
  });

  it('row 7 has every nullable column null, and the rest keep their values', () => {
    for (const c of dataColumns(m.def).filter((x) => !x.system)) {
      const v = m.baseValue(7, c);
      if (nullableInExtremes(m.def, c)) expect(v, c.logicalName).toBeNull();
      else expect(v, c.logicalName).not.toBeNull();
    }
  });

  it('money of extreme rows is in the XTS test currency (4 decimals)', () => {
    const xts = guidFor(guidSpace(hashString('transactioncurrency')), TEST_CURRENCY_INDEX);
    expect(valuesOf(m, 'transactioncurrencyid', 8).every((v) => v === xts)).toBe(true);
    expect(CURRENCIES[TEST_CURRENCY_INDEX]).toMatchObject({ iso: 'XTS', precision: 4 });
    expect(m.baseValue(8, column(m.def, 'transactioncurrencyid'))).not.toBe(xts);
  });
});

describe('share of extreme rows', () => {
  it.each(['account', 'contact', 'opportunity', 'new_widget', 'new_importlog'])('%s: about 0.2 percent of 100,000 rows, the same for the same seed', (name) => {
    const a = model(name, 100_000, 3);
    const b = model(name, 100_000, 3);
    const c = model(name, 100_000, 4);
    const ids = (m: TableModel) => Array.from({ length: 100_000 }, (_, i) => i).filter((i) => m.extremeOrdinal(i) >= 0);
    const chosen = ids(a);
    expect(chosen.length).toBeGreaterThan(100);
    expect(chosen.length).toBeLessThan(350);
    expect(ids(b)).toEqual(chosen);
    expect(ids(c)).not.toEqual(chosen);
    const huge = chosen.filter((i) => String(a.baseValue(i, a.def.columns.find((x) => x.logicalName === HUGE_MEMO_COLUMN) ?? a.def.columns[0]!) ?? '').length >= HUGE_MEMO_LENGTH);
    expect(huge.length).toBeLessThanOrEqual(name === 'new_widget' ? 8 : 0);
  });

  it.each([
    ['systemuser', 20, [19]],
    ['team', 4, [3]],
    ['transactioncurrency', CURRENCIES.length, [TEST_CURRENCY_INDEX]],
  ] as const)('%s: only its last row', (name, rows, expected) => {
    const m = model(name, rows);
    expect(Array.from({ length: rows }, (_, i) => i).filter((i) => m.extremeOrdinal(i) >= 0)).toEqual(expected);
  });
});

describe('texts', () => {
  it.each([1, 2, 5, 10, 100, 4000])('textOfLength(%i) has exactly that many UTF-16 code units and no broken surrogate pair', (n) => {
    for (let offset = 0; offset < TRICKY_TEXT.length; offset += 7) {
      const s = textOfLength(n, offset);
      expect(s).toHaveLength(n);
      expect(s.isWellFormed()).toBe(true);
    }
  });
});

describe('exact numbers', () => {
  it.each<[ColumnDef, Value, string]>([
    [{ logicalName: 'b', kind: 'BigInt', displayName: 'B' }, INT64_MAX, INT64_MAX],
    [{ logicalName: 'b', kind: 'BigInt', displayName: 'B' }, 12, '12'],
    [{ logicalName: 'm', kind: 'Money', displayName: 'M' }, MONEY_MIN, MONEY_MIN],
  ])('wire text of %o %j', (c, v, text) => expect(jsonFragment(c, v)).toBe(text));

  const big: ColumnDef = { logicalName: 'new_serialnumber', kind: 'BigInt', displayName: 'S' };
  const money: ColumnDef = { logicalName: 'revenue', kind: 'Money', displayName: 'R', precision: 2 };
  const dec: ColumnDef = { logicalName: 'new_ratio', kind: 'Decimal', displayName: 'R', precision: 10 };
  it.each<[ColumnDef, unknown, Value]>([
    [big, '9223372036854775807', INT64_MAX],
    [big, '-9223372036854775808', INT64_MIN],
    [big, '9007199254740993', BEYOND_DOUBLE],
    [big, '42', 42],
    [big, 42, 42],
    [money, '922337203685477.0000', MONEY_MAX],
    [money, '-922337203685476.9999', '-922337203685476.9999'],
    [dec, '99999999999.9999999999', '99999999999.9999999999'],
  ])('the control API takes %o = %j exactly', (c, input, v) => expect(fromJson(c, input)).toBe(v));

  it.each<[ColumnDef, unknown, RegExp]>([
    [big, '9223372036854775808', /outside -9223372036854775808\.\.9223372036854775807/],
    [big, '1.5', /expected an integer as a JSON number or an exact string/],
    [big, 2 ** 60, /expected an integer/],
    [money, '922337203685477.0001', /outside/],
    [money, '1e3', /not an exact decimal/],
    [money, '12.34567', /at most 4 decimals/],
    [dec, '100000000000.0000000001', /outside/],
  ])('refuses %o %j with a one-line reason', (c, input, message) => {
    expect(() => fromJson(c, input)).toThrow(message);
    expect(() => fromJson(c, input)).toThrow(/^value .* does not fit column '\w+' \(\w+\): [^\n]+$/);
  });

  it.each<[string | number, string | number, number]>([
    ['9007199254740993', '9007199254740992', 1],
    ['922337203685476.9999', 922337203685477, -1],
    ['0.1', 0.1, 0],
    ['-0.0001', '0.0000', -1],
    ['1E-10', '0.0000000001', 0],
  ])('compareExact(%j, %j) = %i', (a, b, c) => expect(compareExact(a, b)).toBe(c));

  it('keeps the exact text of JSON numbers a double cannot hold', () => {
    const parsed = JSON.parse('{"a":922337203685477.5807,"b":9007199254740993,"c":12.5,"d":20000.0000,"e":3}', exactNumberReviver);
    expect(parsed).toEqual({ a: '922337203685477.5807', b: '9007199254740993', c: 12.5, d: 20000, e: 3 });
  });

  it('filters compare BigInt beyond 2^53 and money exactly', () => {
    const row = (v: Value) => (p: string) => (p === 'x' ? v : null);
    expect(evaluate(parseFilter('x eq 9007199254740993'), row(BEYOND_DOUBLE))).toBe(true);
    expect(evaluate(parseFilter('x eq 9007199254740992'), row(BEYOND_DOUBLE))).toBe(false);
    expect(evaluate(parseFilter('x gt 922337203685476.9998'), row('922337203685476.9999'))).toBe(true);
    expect(evaluate(parseFilter('x lt 922337203685477'), row('922337203685476.9999'))).toBe(true);
  });
});
