import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { accountTable } from './account-table.fixture.ts';
import { avroSchemaFor } from './avro-schema.ts';
import { avroTypeOptions } from './logical-types.ts';
import { parseDataverseJson } from './parse-dataverse-json.ts';
import { recordKey, rowMapper } from './row-mapper.ts';

const table = accountTable();
const ID = 'aaaaaaaa-0000-0000-0000-000000000001';
const EUR = 'cccccccc-0000-0000-0000-0000000000e1';
const currencies = new Map([[EUR, 'EUR']]);
const map = rowMapper(table, currencies);
const type = avro.Type.forSchema(avroSchemaFor(table, { namespace: 'dynsync', connection: 'c1' }) as never, avroTypeOptions());

/** A page body as Dataverse sends it, parsed the way the client does. */
function row(fragment: string): Record<string, unknown> {
  const body = parseDataverseJson(`{"value":[{"@odata.etag":"W/\\"1\\"","accountid":"${ID}"${fragment ? `,${fragment}` : ''}}]}`);
  return (body as { value: Array<Record<string, unknown>> }).value[0] ?? {};
}

/** Maps, encodes and decodes: what the loader will see. */
function roundTrip(fragment: string): Record<string, unknown> {
  const record = map(row(fragment));
  return type.fromBuffer(type.toBuffer(record)) as Record<string, unknown>;
}

describe('rowMapper: every row of the architecture.md §3 table, through Avro and back', () => {
  it.each<[string, string, string, unknown]>([
    ['Decimal', 'new_ratio', '"new_ratio":12.50', '12.50'],
    ['Decimal, scale 10, tiny', 'exchangerate', '"exchangerate":1E-10', '0.0000000001'],
    ['Decimal, negative', 'exchangerate', '"exchangerate":-0.0000000001', '-0.0000000001'],
    ['Integer', 'numberofemployees', '"numberofemployees":42', 42],
    ['Integer, negative max', 'numberofemployees', '"numberofemployees":-2147483648', -2147483648],
    ['BigInt (versionnumber)', 'versionnumber', '"versionnumber":80648695', 80648695],
    ['BigInt, largest exact', 'versionnumber', '"versionnumber":9007199254740990', 9007199254740990],
    ['BigInt, 2^53 + 1 (a bigint)', 'versionnumber', '"versionnumber":9007199254740993', 9007199254740993n],
    ['BigInt, int64 max', 'versionnumber', '"versionnumber":9223372036854775807', 9223372036854775807n],
    ['BigInt, int64 min', 'versionnumber', '"versionnumber":-9223372036854775808', -9223372036854775808n],
    ['Double', 'address1_latitude', '"address1_latitude":47.6097', 47.6097],
    ['Money, max', 'revenue', `"revenue":922337203685477.0000,"_transactioncurrencyid_value":"${EUR.toUpperCase()}"`, { value: '922337203685477.0000', currency: 'EUR' }],
    ['Money, min', 'revenue', '"revenue":-922337203685477.0000', { value: '-922337203685477.0000', currency: null }],
    ['Money, full precision', 'revenue', '"revenue":922337203685477.5807', { value: '922337203685477.5807', currency: null }],
    ['Money, -0.0001', 'revenue', `"revenue":-0.0001,"_transactioncurrencyid_value":"${EUR}"`, { value: '-0.0001', currency: 'EUR' }],
    ['Money, unknown currency', 'revenue', '"revenue":0,"_transactioncurrencyid_value":"dddddddd-0000-0000-0000-000000000000"', { value: '0.0000', currency: null }],
    ['String', 'name', '"name":"Litware"', 'Litware'],
    ['String, unicode', 'name', '"name":"Café 😀 שלום مرحبا"', 'Café 😀 שלום مرحبا'],
    ['String, NUL kept', 'name', '"name":"a\\u0000b"', 'a\u0000b'],
    ['String, empty', 'name', '"name":""', ''],
    ['Memo', 'description', '"description":"line 1\\nline 2"', 'line 1\nline 2'],
    ['Uniqueidentifier (lower-cased)', 'accountid', '', ID],
    ['Picklist, label from options', 'accountcategorycode', '"accountcategorycode":1', { value: 1, label: 'Preferred Customer' }],
    ['Picklist, unknown value uses the annotation', 'accountcategorycode', '"accountcategorycode@OData.Community.Display.V1.FormattedValue":"New","accountcategorycode":99', { value: 99, label: 'New' }],
    ['Picklist, unknown value without annotation', 'accountcategorycode', '"accountcategorycode":98', { value: 98, label: null }],
    ['State', 'statecode', '"statecode":1', { value: 1, label: 'Inactive' }],
    ['Status', 'statuscode', '"statuscode":2', { value: 2, label: 'Inactive' }],
    ['MultiSelect', 'new_interests', '"new_interests":"1,3"', [{ value: 1, label: 'Hiking' }, { value: 3, label: 'Camping' }]],
    ['MultiSelect, labels from the annotation', 'new_interests', '"new_interests@OData.Community.Display.V1.FormattedValue":"X; Y","new_interests":"7,8"', [{ value: 7, label: 'X' }, { value: 8, label: 'Y' }]],
    ['MultiSelect, spaces tolerated', 'new_interests', '"new_interests":"2, 1"', [{ value: 2, label: 'Skiing' }, { value: 1, label: 'Hiking' }]],
    ['MultiSelect, empty string → null', 'new_interests', '"new_interests":""', null],
    ['MultiSelect, null → null', 'new_interests', '"new_interests":null', null],
    ['Boolean', 'donotemail', '"donotemail":true', true],
    ['Boolean false', 'donotemail', '"donotemail":false', false],
    ['DateTime', 'modifiedon', '"modifiedon":"2024-01-01T00:00:00Z"', new Date('2024-01-01T00:00:00Z')],
    ['DateTime with offset', 'modifiedon', '"modifiedon":"2024-01-01T01:30:00+01:30"', new Date('2024-01-01T00:00:00Z')],
    ['DateTime with fraction', 'modifiedon', '"modifiedon":"2023-04-07T21:59:01.1239Z"', new Date('2023-04-07T21:59:01.123Z')],
    ['DateTime, 1753', 'modifiedon', '"modifiedon":"1753-01-01T00:00:00Z"', new Date('1753-01-01T00:00:00Z')],
    ['DateTime TimeZoneIndependent', 'new_localtime', '"new_localtime":"2024-06-30T23:59:59Z"', new Date('2024-06-30T23:59:59Z')],
    ['DateOnly', 'new_birthday', '"new_birthday":"2024-03-15"', '2024-03-15'],
    ['DateOnly, leap day', 'new_birthday', '"new_birthday":"2024-02-29"', '2024-02-29'],
    ['DateOnly as midnight UTC', 'new_birthday', '"new_birthday":"2024-03-15T00:00:00Z"', '2024-03-15'],
    [
      'Lookup',
      'parentaccountid',
      '"_parentaccountid_value@OData.Community.Display.V1.FormattedValue":"Contoso","_parentaccountid_value@Microsoft.Dynamics.CRM.lookuplogicalname":"account","_parentaccountid_value":"BBBBBBBB-0000-0000-0000-000000000002"',
      { id: 'bbbbbbbb-0000-0000-0000-000000000002', table: 'account', name: 'Contoso' },
    ],
    ['Lookup, single target, no annotations', 'parentaccountid', '"_parentaccountid_value":"bbbbbbbb-0000-0000-0000-000000000002"', { id: 'bbbbbbbb-0000-0000-0000-000000000002', table: 'account', name: null }],
    [
      'Owner (polymorphic)',
      'ownerid',
      '"_ownerid_value@Microsoft.Dynamics.CRM.lookuplogicalname":"team","_ownerid_value":"eeeeeeee-0000-0000-0000-000000000003"',
      { id: 'eeeeeeee-0000-0000-0000-000000000003', table: 'team', name: null },
    ],
    [
      'Customer (polymorphic)',
      'new_customer',
      '"_new_customer_value@Microsoft.Dynamics.CRM.lookuplogicalname":"contact","_new_customer_value@OData.Community.Display.V1.FormattedValue":"Ann","_new_customer_value":"ffffffff-0000-0000-0000-000000000004"',
      { id: 'ffffffff-0000-0000-0000-000000000004', table: 'contact', name: 'Ann' },
    ],
    ['Lookup, null', 'parentaccountid', '"_parentaccountid_value":null', null],
  ])('%s', (_name, field, fragment, expected) => {
    expect(roundTrip(fragment)[field]).toEqual(expected);
  });

  it('gives every field, null when the column is absent', () => {
    const out = roundTrip('');
    expect(Object.keys(out)).toEqual(table.columns.map((c) => c.logicalName));
    expect(Object.entries(out).filter(([, v]) => v !== null)).toEqual([['accountid', ID]]);
  });

  it('ignores properties that are not columns (etag, skipped columns, annotations)', () => {
    const out = map(row('"owneridname":"x","entityimage":"AAAA","@odata.etag":"W/\\"9\\""'));
    expect(Object.keys(out)).not.toContain('owneridname');
    expect(Object.keys(out)).not.toContain('entityimage');
  });
});

describe('rowMapper refuses rows it cannot map with RECORD_INVALID', () => {
  it.each<[string, string, string, RegExp]>([
    ['string where a number is expected', '"numberofemployees":"many"', 'numberofemployees', /32-bit integer/],
    ['integer overflow', '"numberofemployees":2147483648', 'numberofemployees', /32-bit integer/],
    ['fraction in an integer', '"numberofemployees":1.5', 'numberofemployees', /32-bit integer/],
    ['BigInt beyond int64', '"versionnumber":9223372036854775808', 'versionnumber', /beyond the 64-bit range/],
    ['BigInt with a fraction', '"versionnumber":1.5', 'versionnumber', /64-bit integer/],
    ['money with more than 4 decimals', '"revenue":1.00001', 'revenue', /more than 4 decimals/],
    ['decimal with more decimals than its scale', '"new_ratio":0.125', 'new_ratio', /more than 2 decimals/],
    ['money as text', '"revenue":"lots"', 'revenue', /decimal number/],
    ['number where a string is expected', '"name":{"x":1}', 'name', /expected a string/],
    ['boolean as string', '"donotemail":"true"', 'donotemail', /boolean/],
    ['invalid date-time', '"modifiedon":"2024-02-30T00:00:00Z"', 'modifiedon', /date-time/],
    ['date-time without zone', '"modifiedon":"2024-01-01T00:00:00"', 'modifiedon', /date-time/],
    ['hour 24', '"modifiedon":"2024-01-01T24:00:00Z"', 'modifiedon', /time of day/],
    ['invalid DateOnly', '"new_birthday":"2023-02-29"', 'new_birthday', /YYYY-MM-DD/],
    ['DateOnly with a time', '"new_birthday":"2024-03-15T10:00:00Z"', 'new_birthday', /YYYY-MM-DD/],
    ['picklist as text', '"statecode":"open"', 'statecode', /32-bit integer/],
    ['multi-select garbage', '"new_interests":"1,x"', 'new_interests', /32-bit integer/],
    ['lookup id not a GUID', '"_parentaccountid_value":"nope"', 'parentaccountid', /GUID/],
    ['polymorphic lookup without target', '"_ownerid_value":"eeeeeeee-0000-0000-0000-000000000003"', 'ownerid', /lookuplogicalname/],
  ])('%s', (_name, fragment, column, reason) => {
    let error: unknown;
    try {
      map(row(fragment));
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: 'RECORD_INVALID', details: { table: 'account', recordId: ID, column } });
    expect((error as Error).message).toMatch(reason);
    expect((error as Error).message).toContain(`table account, record ${ID}, column ${column}`);
  });

  it.each<[string, unknown, RegExp]>([
    ['missing primary id', { name: 'x' }, /primary id missing/],
    ['null primary id', { accountid: null }, /primary id missing/],
    ['primary id not a GUID', { accountid: '42' }, /not a GUID/],
    ['not an object', ['x'], /not a JSON object/],
    ['null row', null, /not a JSON object/],
  ])('%s', (_name, input, reason) => {
    expect(() => map(input)).toThrow(expect.objectContaining({ code: 'RECORD_INVALID', message: expect.stringMatching(reason) }));
  });

  it('treats a decimal that arrived as a JS number as a programming error (INTERNAL), not bad data', () => {
    expect(() => map({ accountid: ID, revenue: 922337203685477.5 })).toThrow(expect.objectContaining({ code: 'INTERNAL' }));
  });
});

describe('recordKey', () => {
  it.each([
    [ID, ID],
    [ID.toUpperCase(), ID],
  ])('%s → %s', (id, key) => {
    expect(recordKey(table, { accountid: id })).toBe(key);
  });

  it.each([[{}], [{ accountid: '' }], [{ accountid: 7 }], [{ accountid: `{${ID}}` }]])('refuses %j', (input) => {
    expect(() => recordKey(table, input)).toThrow(expect.objectContaining({ code: 'RECORD_INVALID', details: expect.objectContaining({ table: 'account' }) }));
  });
});
