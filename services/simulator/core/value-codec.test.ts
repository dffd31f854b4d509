import { describe, expect, it } from 'vitest';
import type { ColumnDef } from './schema.ts';
import { col, decimal, fixed } from './gen-columns.ts';
import { formatDateTime, formatDecimal, formattedValue, fromJson, jsonFragment, toScale } from './value-codec.ts';
import { seededRandom } from '../../dataverse/mapping/seeded-random.fixture.ts';

const money = col('revenue', 'Money', 'Revenue', { precision: 2 });
const dec = col('ratio', 'Decimal', 'Ratio', { precision: 10 });
const dt = col('modifiedon', 'DateTime', 'Modified', { behavior: 'UserLocal' });
const day = col('birthdate', 'DateTime', 'Birthday', { behavior: 'DateOnly' });
const pick = col('industrycode', 'Picklist', 'Industry', { options: [{ value: 1, label: 'Accounting' }] });
const multi = col('tags', 'MultiSelectPicklist', 'Tags', { options: [{ value: 1, label: 'A' }, { value: 2, label: 'B' }, { value: 3, label: 'C' }] });
const str = col('name', 'String', 'Name');

describe('wire format', () => {
  it.each<[ColumnDef, string | number | boolean | null, string]>([
    [money, '20000.0000', '20000.0000'],
    [dec, '-0.1234567890', '-0.1234567890'],
    [dt, Date.UTC(2023, 3, 7, 21, 59, 1), '"2023-04-07T21:59:01Z"'],
    [day, '2024-03-15', '"2024-03-15"'],
    [multi, '1,2,3', '"1,2,3"'],
    [str, 'say "hi"\n', '"say \\"hi\\"\\n"'],
    [str, null, 'null'],
    [pick, 1, '1'],
    [col('b', 'Boolean', 'B'), false, 'false'],
  ])('%s', (c, v, json) => expect(jsonFragment(c, v)).toBe(json));

  it.each<[ColumnDef, string | number | boolean, string | undefined, string | undefined]>([
    [money, '20000.0000', '$', '$20,000.00'],
    [money, '1500.5000', '€', '€1,500.50'],
    [pick, 1, undefined, 'Accounting'],
    [multi, '1,3', undefined, 'A; C'],
    [dt, Date.UTC(2023, 3, 7, 14, 59, 0), undefined, '4/7/2023 2:59 PM'],
    [day, '2024-03-15', undefined, '3/15/2024'],
    [col('b', 'Boolean', 'B'), true, undefined, 'Yes'],
    [str, 'x', undefined, undefined],
  ])('formats %s %j', (c, v, symbol, text) => expect(formattedValue(c, v, symbol)).toBe(text));

  it.each([
    [money, 12.5, '12.5000'],
    [money, '12.34', '12.3400'],
    [dec, '1', '1.0000000000'],
    [dt, '2024-01-01T10:00:00.700Z', Date.UTC(2024, 0, 1, 10)],
    [multi, [3, 1], '1,3'],
    [col('l', 'Lookup', 'L'), 'ABCDEF01-0000-1000-8000-000000000000', 'abcdef01-0000-1000-8000-000000000000'],
  ])('reads JSON input %#', (c, input, expected) => expect(fromJson(c, input)).toBe(expected));

  it.each([
    [money, 'abc'],
    [money, '1.00001'],
    [pick, 'x'],
    [day, '2024-03-15T00:00:00Z'],
  ])('rejects JSON input %#', (c, input) => expect(() => fromJson(c, input)).toThrow(TypeError));

  it.each([
    [123450, 4, '12.3450'],
    [-5, 2, '-0.05'],
    [7, 0, '7'],
  ])('fixed(%i, %i) = %s', (units, scale, text) => expect(fixed(units, scale)).toBe(text));

  it('generates decimals with exactly their scale', () => {
    const gen = decimal(-1, 1, 10);
    for (let h = 1; h < 2000; h += 37) expect(String(gen(h * 2654435761, 0, undefined as never, 0))).toMatch(/^-?\d+\.\d{10}$/);
  });

  it.each([
    ['1.5', 3, '1.500'],
    ['2', 0, '2'],
    ['1.50', 1, '1.5'],
    ['x', 2, undefined],
  ])('toScale(%s, %i)', (t, s, r) => expect(toScale(t, s)).toBe(r));
});

describe('formatted numbers and date-times equal Intl en-US', () => {
  /** The oracle: Intl formats a numeric string exactly, rounding half away from zero. */
  const intlDecimal = (text: string, decimals: number) =>
    new Intl.NumberFormat('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals }).format(text as `${number}`);
  const intlDateTime = (ms: number) =>
    new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: '2-digit', hour12: true })
      .format(new Date(ms)).replace(',', '').replace(/\u202f/g, ' ');

  it.each([
    ['0', 0], ['0.5', 0], ['-0.5', 0], ['1.5', 0], ['2.5', 0], ['9.995', 2], ['-9.995', 2], ['999999.9999', 2], ['-0.004', 2],
    ['-0.005', 2], ['0.0000', 4], ['-0', 0], ['007.25', 1], ['1234567890123456789', 0], ['-9223372036854775808', 0],
    ['922337203685477.5807', 2], ['-922337203685477.5808', 4], ['100000000000', 10], ['12.', 2], ['5e3', 2], ['1.23', 10],
  ])('%s with %i decimals', (text, decimals) => expect(formatDecimal(text, decimals)).toBe(intlDecimal(text, decimals)));

  it('on 20,000 generated decimal texts (signs, carries, every scale from 0 to 10)', () => {
    const random = seededRandom(7);
    const digits = (n: number) => Array.from({ length: n }, (_, i) => String(Math.floor(random() * (i === 0 && random() < 0.3 ? 1 : 10)))).join('');
    for (let i = 0; i < 20_000; i += 1) {
      const nines = random() < 0.2;
      const int = nines ? '9'.repeat(1 + Math.floor(random() * 6)) : digits(1 + Math.floor(random() * 16));
      const frac = nines ? '9'.repeat(Math.floor(random() * 6)) + digits(Math.floor(random() * 3)) : digits(Math.floor(random() * 12));
      const text = `${random() < 0.4 ? '-' : ''}${int}${frac ? `.${frac}` : ''}`;
      const decimals = Math.floor(random() * 11);
      expect([text, decimals, formatDecimal(text, decimals)]).toEqual([text, decimals, intlDecimal(text, decimals)]);
    }
  });

  it('on 20,000 date-times from 1753 to 9999', () => {
    const random = seededRandom(11);
    const [from, to] = [Date.UTC(1753, 0, 1), Date.UTC(9999, 11, 31, 23, 59, 59)];
    const edges = [from, to, Date.UTC(2024, 0, 1, 0, 0), Date.UTC(2024, 0, 1, 12, 0), Date.UTC(2024, 0, 1, 11, 59), Date.UTC(2024, 1, 29, 23, 5)];
    const times = [...edges, ...Array.from({ length: 20_000 }, () => Math.floor((from + random() * (to - from)) / 1000) * 1000)];
    for (const ms of times) expect([ms, formatDateTime(ms)]).toEqual([ms, intlDateTime(ms)]);
  });
});

