import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { accountTable } from './account-table.fixture.ts';
import { avroSchemaFor } from './avro-schema.ts';
import { avroTypeOptions } from './logical-types.ts';
import { parseDataverseJson } from './parse-dataverse-json.ts';
import { rowMapper } from './row-mapper.ts';
import { WIRE_HEADER_BYTES, WireRecordWriter } from './wire-record-writer.ts';

const table = accountTable();
const ID = 'aaaaaaaa-0000-0000-0000-000000000001';
const EUR = 'cccccccc-0000-0000-0000-0000000000e1';
const currencies = new Map([[EUR, 'EUR']]);
const schema = avroSchemaFor(table, { namespace: 'dynsync', connection: 'c1' });
/** What consumers use: the registered schema with the logical types. */
const logical = avro.Type.forSchema(schema as never, avroTypeOptions());
const jsMapper = rowMapper(table, currencies);
const wireMapper = rowMapper(table, currencies, { representation: 'wire' });

function row(fragment: string): Record<string, unknown> {
  const body = parseDataverseJson(`{"value":[{"accountid":"${ID}"${fragment ? `,${fragment}` : ''}}]}`);
  return (body as { value: Array<Record<string, unknown>> }).value[0] ?? {};
}

/** The Confluent wire bytes the registry client writes: 0, the id, then the logical-type encoding of the js record. */
function registryBytes(schemaId: number, fragment: string): Buffer {
  const header = Buffer.alloc(WIRE_HEADER_BYTES);
  header.writeInt32BE(schemaId, 1);
  return Buffer.concat([header, logical.toBuffer(jsMapper(row(fragment)))]);
}

const EVERY_TYPE = [
  `"name":"Café 😀","description":"a\\nb","numberofemployees":-2147483648,"versionnumber":9007199254740990`,
  `"revenue":922337203685477.5807,"_transactioncurrencyid_value":"${EUR.toUpperCase()}","exchangerate":1E-10,"new_ratio":-12.50`,
  `"revenue":-0.0001,"new_ratio":0,"exchangerate":-0.0000000001,"address1_latitude":47.6097`,
  `"revenue":-922337203685477.0000,"new_ratio":21474836.47,"exchangerate":123456789012345678.0000000001`,
  `"modifiedon":"2023-04-07T21:59:01.1239Z","new_localtime":"2024-01-01T01:30:00+01:30","new_birthday":"2024-02-29"`,
  `"modifiedon":"1753-01-01T00:00:00Z","new_birthday":"0001-01-01T00:00:00Z","donotemail":false`,
  `"versionnumber":9223372036854775807,"modifiedon":"9999-12-30T23:59:59Z","new_birthday":"9999-12-31"`,
  `"versionnumber":-9007199254740993,"revenue":922337203685476.9999`,
  `"accountcategorycode":1,"statecode":1,"statuscode":2,"new_interests":"2, 1"`,
  `"accountcategorycode@OData.Community.Display.V1.FormattedValue":"New","accountcategorycode":99,"new_interests":""`,
  `"_parentaccountid_value@OData.Community.Display.V1.FormattedValue":"Contoso","_parentaccountid_value":"BBBBBBBB-0000-0000-0000-000000000002"`,
  `"_ownerid_value@Microsoft.Dynamics.CRM.lookuplogicalname":"team","_ownerid_value":"eeeeeeee-0000-0000-0000-000000000003"`,
  '',
];

describe('WireRecordWriter: the bytes the schema registry client writes, without a copy per record', () => {
  it.each(EVERY_TYPE.map((f) => [f]))('row %s', (fragment) => {
    const batch = new WireRecordWriter(schema, 42).batch();
    const bytes = batch.write(wireMapper(row(fragment)));
    expect(bytes.equals(registryBytes(42, fragment))).toBe(true);
    // and consumers read back exactly what the js mapper gives
    expect(logical.fromBuffer(bytes.subarray(WIRE_HEADER_BYTES))).toEqual(logical.fromBuffer(logical.toBuffer(jsMapper(row(fragment)))));
  });

  it.each([
    ['records across many small chunks', 64],
    ['a record larger than a chunk', 16],
    ['the default chunk size', undefined],
  ])('%s: every record keeps its own bytes', (_name, chunkBytes) => {
    const batch = new WireRecordWriter(schema, 7, chunkBytes).batch();
    const written = [...EVERY_TYPE, ...EVERY_TYPE].map((f) => batch.write(wireMapper(row(f))));
    [...EVERY_TYPE, ...EVERY_TYPE].forEach((f, i) => expect(written[i]!.equals(registryBytes(7, f))).toBe(true));
  });

  it('gives two batches of one writer separate memory', () => {
    const writer = new WireRecordWriter(schema, 3);
    const [a, b] = [writer.batch().write(wireMapper(row(EVERY_TYPE[0]!))), writer.batch().write(wireMapper(row(EVERY_TYPE[1]!)))];
    expect(a.buffer).not.toBe(b.buffer);
    expect(a.equals(registryBytes(3, EVERY_TYPE[0]!)) && b.equals(registryBytes(3, EVERY_TYPE[1]!))).toBe(true);
  });

  it('refuses a value that does not fit the schema with RECORD_INVALID naming the field', () => {
    const batch = new WireRecordWriter(schema, 1).batch();
    const record = { ...wireMapper(row('')), numberofemployees: 'many' };
    expect(() => batch.write(record)).toThrow(expect.objectContaining({ code: 'RECORD_INVALID', message: expect.stringContaining('numberofemployees') }));
    // the batch stays usable
    expect(batch.write(wireMapper(row(''))).equals(registryBytes(1, ''))).toBe(true);
  });

  it.each([[-1], [2 ** 31], [1.5]])('refuses schema id %s', (id) => {
    expect(() => new WireRecordWriter(schema, id)).toThrow(expect.objectContaining({ code: 'INTERNAL' }));
  });
});
