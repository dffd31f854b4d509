/**
 * The extractor's fast path against the path it replaced, byte for byte on the wire: `rowMapper(..., { reuse: true })`
 * (one record, nested records and decimal bytes reused, allocation-free readers) + WireRecordWriter must give the
 * same Confluent-wire bytes as a fresh record per row, and those must be the bytes the registry client writes for
 * the `js` representation with the logical types; a row one path refuses, the other refuses with the same message.
 * Rows are generated (seeded) from values at every boundary of the fast readers and the simulator's extreme values,
 * and mapped in one sequence, so state left by one row in the reused objects would show in the next.
 */
import { isDeepStrictEqual } from 'node:util';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { accountTable } from './account-table.fixture.ts';
import { avroSchemaFor } from './avro-schema.ts';
import { avroTypeOptions } from './logical-types.ts';
import { parseDataverseJson, splitCollection } from './parse-dataverse-json.ts';
import { FORMATTED_VALUE, LOOKUP_LOGICAL_NAME, rowMapper } from './row-mapper.ts';
import { WireRecordWriter } from './wire-record-writer.ts';
import type { TableDefinition } from '../model/table-definition.ts';
import { seededRandom as random } from './seeded-random.fixture.ts';

const EUR = 'cccccccc-0000-0000-0000-0000000000e1';
const XTS = 'cccccccc-0000-0000-0000-0000000000f2';
const currencies = new Map([[EUR, 'EUR'], [XTS, 'XTS']]);

/** The account fixture, with `new_ratio` at precision 7 (so the precision check is reached) . */
function table(): TableDefinition {
  const t = accountTable();
  return { ...t, columns: t.columns.map((c) => (c.logicalName === 'new_ratio' ? { ...c, precision: 7 } : c)) };
}

/** JSON value texts per column (numbers bare, as Dataverse sends them), that map. */
const VALUES: Record<string, readonly string[]> = {
  exchangerate: ['0', '-0', '0.0000', '1E-10', '-0.0000000001', '1', '0.7893', '99999999999.9999999999', '-100000000000.0000000000', '123456789012345', '1234567890123456', '14073.7488355328', '14073.7488355327', '"1.5"'],
  new_ratio: ['12.50', '-12.5', '99999.99', '-99999.99', '0', '-0.00', '1.2300', '"12.50"'],
  revenue: ['922337203685477.0000', '-922337203685477.0000', '922337203685476.9999', '-922337203685476.9999', '0.0001', '-0.0001', '0.0000', '16225.66', '2412486.68', '14073748835.5328'],
  numberofemployees: ['0', '-0', '20793', '2147483647', '-2147483648', '"007"'],
  versionnumber: ['7329', '0', '-0', '9007199254740990', '9007199254740993', '-9007199254740993', '9223372036854775807', '-9223372036854775808', '999999999999999', '1000000000000000', '"12"'],
  address1_latitude: ['47.6097', '0.1', '-0.3', '1e300', '100000000000', '0'],
  modifiedon: ['"2024-01-01T00:00:00Z"', '"1753-01-01T00:00:00Z"', '"9999-12-30T23:59:59Z"', '"2023-04-07T21:59:01.1239Z"', '"2024-01-01T01:30:00+01:30"'],
  new_localtime: ['"2024-06-30T23:59:59Z"', '"2024-06-30T23:59:59.5Z"', '"0001-01-01T00:00:00Z"'],
  new_birthday: ['"2024-02-29"', '"1753-01-01"', '"9999-12-31"', '"0001-01-01T00:00:00Z"'],
  accountcategorycode: ['1', '99', '98', '"1"'],
  statecode: ['0', '1'],
  statuscode: ['1', '2', '100000000'],
  new_interests: ['"1,3"', '"2, 1"', '""', '"7,8"'],
  donotemail: ['true', 'false'],
  name: ['"Litware"', '""', '"Café 😀 שלום مرحبا"', '"a\\u0000b"', '"say \\"1\\""'],
  description: ['"line 1\\nline 2"', '"c:\\\\"'],
  _parentaccountid_value: ['"BBBBBBBB-0000-0000-0000-000000000002"', '"bbbbbbbb-0000-0000-0000-000000000002"'],
  _ownerid_value: ['"eeeeeeee-0000-0000-0000-000000000003"'],
  _new_customer_value: ['"dddddddd-0000-0000-0000-000000000004"'],
  _transactioncurrencyid_value: [`"${EUR}"`, `"${EUR.toUpperCase()}"`, `"${XTS}"`, '"dddddddd-0000-0000-0000-000000000000"'],
};
/** Values the mappers refuse (each column gets one in 50 rows). */
const INVALID: Record<string, readonly string[]> = {
  exchangerate: ['1.00000000001', '"x"', 'true'],
  new_ratio: ['0.125', '100000.00', '"007"'],
  revenue: ['1.00001', '"lots"'],
  numberofemployees: ['2147483648', '1.5', '"many"', '123456789012345678'],
  versionnumber: ['9223372036854775808', '1.5'],
  address1_latitude: ['"n"'],
  modifiedon: ['"2023-02-29T00:00:00Z"', '"2024-01-01T24:00:00Z"', '"last tuesday"'],
  new_birthday: ['"2023-02-29"', '"2024-13-01"'],
  accountcategorycode: ['2147483648'],
  new_interests: ['"x"'],
  donotemail: ['"yes"'],
  name: ['42'],
  _parentaccountid_value: ['"not-a-guid"'],
};
/** Annotations per lookup / choice column. */
const ANNOTATIONS: Record<string, readonly (string | null)[]> = {
  [`_ownerid_value${LOOKUP_LOGICAL_NAME}`]: ['"systemuser"', '"team"', '"Bad Table"', null],
  [`_new_customer_value${LOOKUP_LOGICAL_NAME}`]: ['"account"', '"contact"', null],
  [`_parentaccountid_value${LOOKUP_LOGICAL_NAME}`]: ['"account"', null],
  [`_parentaccountid_value${FORMATTED_VALUE}`]: ['"Contoso"', '""', null],
  [`accountcategorycode${FORMATTED_VALUE}`]: ['"New"', null],
  [`new_interests${FORMATTED_VALUE}`]: ['"X; Y"', null],
};

/** A page of `count` generated rows: each column a value of its pool, null, or absent. */
function page(next: () => number, count: number): string {
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const rows = Array.from({ length: count }, (_, i) => {
    const props = [`"@odata.etag":"W/\\"${i}\\""`, `"accountid":"aaaaaaaa-0000-0000-0000-${String(i).padStart(12, '0')}"`];
    for (const [name, values] of [...Object.entries(VALUES), ...Object.entries(ANNOTATIONS)]) {
      const r = next();
      if (r < 0.1) continue;
      const invalid = INVALID[name];
      const value = r < 0.2 ? 'null' : invalid && next() < 0.02 ? pick(invalid) : pick(values);
      if (value !== null) props.push(`"${name}":${value}`);
    }
    return `{${props.join(',')}}`;
  });
  return `{"@odata.context":"x","value":[${rows.join(',')}]}`;
}

type Outcome = { bytes: Buffer } | { error: string };
const outcome = (fn: () => Buffer): Outcome => {
  try {
    return { bytes: Buffer.from(fn()) };
  } catch (err) {
    return { error: `${(err as { code?: string }).code}: ${(err as Error).message}` };
  }
};

describe('the reusing mapper (the extractor\'s fast path) writes what the mapper it replaced writes', () => {
  const t = table();
  const schema = avroSchemaFor(t, { namespace: 'dynsync', connection: 'c1' });
  const logical = avro.Type.forSchema(schema as never, avroTypeOptions());
  const jsMapper = rowMapper(t, currencies);
  const fresh = rowMapper(t, currencies, { representation: 'wire' });
  const reuse = rowMapper(t, currencies, { representation: 'wire', reuse: true });
  const writer = new WireRecordWriter(schema, 42);

  it('on 2,000 generated rows: same bytes, same refusals, and the registry client\'s bytes', () => {
    const next = random(1219);
    let valid = 0;
    for (let p = 0; p < 20; p++) {
      const text = page(next, 100);
      const rows = (parseDataverseJson(text) as { value: unknown[] }).value;
      const split = splitCollection(text);
      const batch = writer.batch();
      rows.forEach((row, i) => {
        const before = outcome(() => writer.batch().write(fresh(row)));
        const after = outcome(() => batch.write(reuse(split.row(i))));
        if (!isDeepStrictEqual(after, before)) expect(after, JSON.stringify(row)).toEqual(before);
        if ('bytes' in before) {
          valid++;
          const registry = Buffer.concat([Buffer.from([0, 0, 0, 0, 42]), logical.toBuffer(jsMapper(row))]);
          if (!registry.equals(before.bytes)) expect(registry.toString('hex'), JSON.stringify(row)).toBe(before.bytes.toString('hex'));
        }
      });
    }
    // the pools are tuned so that both outcomes are common: the comparison covers values, not only refusals
    expect(valid).toBeGreaterThan(500);
    expect(valid).toBeLessThan(1900);
  });

  it('returns the same record object every time, nested records included', () => {
    const row = (fragment: string) => (parseDataverseJson(`{"accountid":"aaaaaaaa-0000-0000-0000-000000000001",${fragment}}`) as Record<string, unknown>);
    const a = reuse(row('"revenue":1,"statecode":0'));
    const money = a.revenue;
    const b = reuse(row('"revenue":2,"statecode":1'));
    expect(b).toBe(a);
    expect(b.revenue).toBe(money);
    expect(reuse(row('"statecode":1')).revenue).toBeNull();
  });
});
