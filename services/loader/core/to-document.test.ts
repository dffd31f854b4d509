import avro from 'avsc';
import { Decimal128, Long } from 'bson';
import { describe, expect, it } from 'vitest';
import { avroLogicalTypes } from '../../dataverse/mapping/logical-types.ts';
import { compileConverter, decimal128Bytes } from './to-document.ts';

// Decoded values as the extractor's logical types produce them (decimal strings, YYYY-MM-DD, Date).
const schema = {
  type: 'record',
  name: 'T',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'amount', type: ['null', { type: 'record', name: 'Money', fields: [
      { name: 'value', type: { type: 'bytes', logicalType: 'decimal', precision: 38, scale: 4 } },
      { name: 'currency', type: ['null', 'string'], default: null },
    ] }], default: null },
    { name: 'day', type: ['null', { type: 'int', logicalType: 'date' }], default: null },
    { name: 'at', type: ['null', { type: 'long', logicalType: 'timestamp-millis' }], default: null },
    { name: 'big', type: ['null', 'long'], default: null },
    { name: 'tags', type: ['null', { type: 'array', items: { type: 'record', name: 'Opt', fields: [
      { name: 'value', type: 'int' }, { name: 'label', type: ['null', 'string'], default: null },
    ] } }], default: null },
  ],
};
const convert = compileConverter(avro.Type.forSchema(schema as avro.Schema, { logicalTypes: avroLogicalTypes as never }));

describe('compileConverter', () => {
  it('refuses a decimal beyond the 34 significant digits of Decimal128 instead of rounding it', () => {
    expect(() => convert({ id: 'x', amount: { value: '9999999999999999999999999999999999.9999', currency: null } })).toThrow(/RECORD_INVALID|more significant digits/);
    expect(() => convert({ id: 'x', amount: { value: '999999999999999999999999999999.9999', currency: null } })).not.toThrow();
  });

  it.each([
    ['money stays exact', { amount: { value: '922337203685477.0000', currency: 'EUR' } }, { amount: { value: Decimal128.fromString('922337203685477.0000'), currency: 'EUR' } }],
    ['negative tiny money', { amount: { value: '-0.0001', currency: null } }, { amount: { value: Decimal128.fromString('-0.0001'), currency: null } }],
    ['null money', { amount: null }, { amount: null }],
    ['DateOnly', { day: '2024-02-29' }, { day: new Date('2024-02-29T00:00:00Z') }],
    ['timestamp', { at: new Date('2024-01-01T10:00:00Z') }, { at: new Date('2024-01-01T10:00:00Z') }],
    ['safe bigint', { big: 42n }, { big: 42 }],
    ['unsafe bigint', { big: 9_223_372_036_854_775_807n }, { big: Long.fromBigInt(9_223_372_036_854_775_807n) }],
    ['multi-select', { tags: [{ value: 1, label: 'A' }, { value: 2, label: null }] }, { tags: [{ value: 1, label: 'A' }, { value: 2, label: null }] }],
    ['empty multi-select', { tags: [] }, { tags: [] }],
  ])('%s', (_name, input, expected) => {
    const doc = convert({ id: 'x', amount: null, day: null, at: null, big: null, tags: null, ...input }) as Record<string, unknown>;
    for (const [k, v] of Object.entries(expected)) expect(doc[k]).toEqual(v);
  });
});

describe('decimal128Bytes: the bytes Decimal128.fromString gives, without parsing', () => {
  const bytesOf = (text: string) => Buffer.from(Decimal128.fromString(text).bytes);
  it.each([
    '0', '-0', '0.0000', '-0.0001', '1', '-1', '12.30', '0.000000001', '922337203685477.0000', '-922337203685477.5808',
    '999999999999999', '9999999999999999', '4294967296', '4294967295.9999', '9007199254740993',
    '100000000000000000000000000000000.0', '9999999999999999999999999999999999', '-0.9999999999999999999999999999999999',
    '18446744073709551616', '5192296858534827.628530496329220095', '-5192296858534827628530496329220096',
  ])('%s', (text) => expect(decimal128Bytes(text)).toEqual(bytesOf(text)));

  it.each([
    ['more than 34 digits', '12345678901234567890123456789012345'],
    ['not a plain decimal', '1e5'],
    ['two points', '1.2.3'],
    ['no digits', '-'],
    ['a sign alone with a point', '-.'],
  ])('leaves %s to Decimal128.fromString: %s', (_name, text) => expect(decimal128Bytes(text)).toBeUndefined());

  it('equals Decimal128.fromString on generated values of every length and scale', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31);
    for (let length = 1; length <= 34; length += 1) {
      for (let k = 0; k < 20; k += 1) {
        const digits = Array.from({ length }, () => String(next() % 10)).join('');
        const scale = next() % (length + 1);
        const text = `${next() % 2 ? '-' : ''}${scale === length ? '0' : digits.slice(0, length - scale)}${scale > 0 ? `.${digits.slice(length - scale)}` : ''}`;
        expect(decimal128Bytes(text), text).toEqual(bytesOf(text));
      }
    }
  });
});
