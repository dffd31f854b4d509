import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { accountTable } from './account-table.fixture.ts';
import { avroName, avroNamespace, isAvroName } from './avro-names.ts';
import { avroSchemaFor } from './avro-schema.ts';
import { avroLogicalTypes } from './logical-types.ts';

const NS = 'dynsync.dynamics.c1.account';
const nullable = (type: unknown) => ({ type: ['null', type], default: null });
const schema = avroSchemaFor(accountTable(), { namespace: 'dynsync.dynamics', connection: 'c1' });
const field = (name: string) => schema.fields.find((f) => f.name === name);

describe('avroSchemaFor (architecture.md §3, row by row)', () => {
  it('names the record after the table in <namespace>.<connection>', () => {
    expect(schema).toMatchObject({ type: 'record', name: 'account', namespace: 'dynsync.dynamics.c1' });
  });

  it('orders fields: primary id first, then by logical name', () => {
    expect(schema.fields.map((f) => f.name)).toEqual(accountTable().columns.map((c) => c.logicalName));
    expect(schema.fields[0]?.name).toBe('accountid');
  });

  it.each<[string, string, unknown]>([
    ['DecimalType (scale 10)', 'exchangerate', { type: 'bytes', logicalType: 'decimal', precision: 38, scale: 10 }],
    ['DecimalType (scale 2)', 'new_ratio', { type: 'bytes', logicalType: 'decimal', precision: 38, scale: 2 }],
    ['IntegerType', 'numberofemployees', 'int'],
    ['BigIntType (versionnumber)', 'versionnumber', 'long'],
    ['DoubleType', 'address1_latitude', 'double'],
    [
      'MoneyType',
      'revenue',
      {
        type: 'record',
        name: 'Money',
        namespace: NS,
        fields: [
          { name: 'value', type: { type: 'bytes', logicalType: 'decimal', precision: 38, scale: 4 } },
          { name: 'currency', type: ['null', 'string'], default: null },
        ],
      },
    ],
    ['StringType', 'name', 'string'],
    ['MemoType', 'description', 'string'],
    ['UniqueidentifierType', 'accountid', { type: 'string', logicalType: 'uuid' }],
    [
      'PicklistType (first use defines Choice)',
      'accountcategorycode',
      {
        type: 'record',
        name: 'Choice',
        namespace: NS,
        fields: [
          { name: 'value', type: 'int' },
          { name: 'label', type: ['null', 'string'], default: null },
        ],
      },
    ],
    ['StateType', 'statecode', `${NS}.Choice`],
    ['StatusType', 'statuscode', `${NS}.Choice`],
    ['MultiSelectPicklistType', 'new_interests', { type: 'array', items: `${NS}.Choice` }],
    ['BooleanType', 'donotemail', 'boolean'],
    ['DateTimeType UserLocal (modifiedon)', 'modifiedon', { type: 'long', logicalType: 'timestamp-millis' }],
    ['DateTimeType TimeZoneIndependent', 'new_localtime', { type: 'long', logicalType: 'timestamp-millis' }],
    ['DateTimeType DateOnly', 'new_birthday', { type: 'int', logicalType: 'date' }],
    [
      'CustomerType (first use defines Reference)',
      'new_customer',
      {
        type: 'record',
        name: 'Reference',
        namespace: NS,
        fields: [
          { name: 'id', type: { type: 'string', logicalType: 'uuid' } },
          { name: 'table', type: 'string' },
          { name: 'name', type: ['null', 'string'], default: null },
        ],
      },
    ],
    ['OwnerType', 'ownerid', `${NS}.Reference`],
    ['LookupType', 'parentaccountid', `${NS}.Reference`],
  ])('%s', (_row, name, type) => {
    expect(field(name)).toEqual({ name, ...nullable(type) });
  });

  it.each([['owneridname'], ['entityimage'], ['new_document'], ['new_virtual'], ['new_entityname'], ['new_parties'], ['new_calendar'], ['new_managed'], ['new_future'], ['new_secret']])(
    'has no field for the skipped column %s',
    (name) => {
      expect(field(name)).toBeUndefined();
    },
  );

  it('is a valid Avro schema for avsc, with and without our logical types', () => {
    expect(() => avro.Type.forSchema(schema as never, { logicalTypes: avroLogicalTypes })).not.toThrow();
    expect(() => avro.Type.forSchema(schema as never)).not.toThrow();
  });

  it('does not depend on the order of the columns given', () => {
    const table = accountTable();
    const reversed = { ...table, columns: [...table.columns].reverse() };
    expect(avroSchemaFor(reversed, { namespace: 'dynsync.dynamics', connection: 'c1' })).toEqual(schema);
  });

  it('sanitises the connection into a valid namespace', () => {
    const s = avroSchemaFor(accountTable(), { namespace: 'dynsync', connection: '42-prod.eu' });
    expect(s.namespace).toBe('dynsync._42_prod_eu');
    expect(() => avro.Type.forSchema(s as never, { logicalTypes: avroLogicalTypes })).not.toThrow();
  });
});

describe('avro names', () => {
  it.each([
    ['account', 'account'],
    ['new_field1', 'new_field1'],
    ['my-conn', 'my_conn'],
    ['1abc', '_1abc'],
    ['', '_'],
    ['a.b', 'a_b'],
    ['ünï', '_n_'],
  ])('%j → %j', (text, name) => {
    expect(avroName(text)).toBe(name);
    expect(isAvroName(avroName(text))).toBe(true);
  });

  it('builds namespaces part by part', () => {
    expect(avroNamespace('dynsync..dynamics.my-conn')).toBe('dynsync.dynamics.my_conn');
  });
});
