import { Decimal128, Long } from 'bson';
import { describe, expect, it } from 'vitest';
import { differentFields, fieldOf, storedText } from './ground-truth.ts';

describe('stored values as the simulator writes them', () => {
  it.each<[string, unknown, unknown, string | null]>([
    ['money, Decimal128', Decimal128.fromString('922337203685477.0000'), '922337203685477.0000', '922337203685477.0000'],
    ['money, Avro record', { value: '-922337203685476.9999', currency: 'XTS' }, '-922337203685476.9999', '-922337203685476.9999'],
    ['money in MongoDB', { value: Decimal128.fromString('0.0000'), currency: null }, '0.0000', '0.0000'],
    ['tiny decimal (Decimal128 prints 1E-10)', Decimal128.fromString('0.0000000001'), '0.0000000001', '0.0000000001'],
    ['BigInt beyond 2^53, Int64', Long.fromString('9223372036854775807'), '9223372036854775807', '9223372036854775807'],
    ['BigInt beyond 2^53, Avro bigint', -9007199254740993n, '-9007199254740993', '-9007199254740993'],
    ['double', 0.1, '0.1', '0.1'],
    ['date-time', new Date('9999-12-30T23:59:59Z'), '9999-12-30T23:59:59Z', '9999-12-30T23:59:59Z'],
    ['DateOnly in MongoDB', new Date('1753-01-01T00:00:00Z'), '1753-01-01', '1753-01-01'],
    ['DateOnly from Avro', '9999-12-31', '9999-12-31', '9999-12-31'],
    ['choice', { value: 100000000, label: 'Red' }, '100000000', '100000000'],
    ['multi-select', [{ value: 1, label: 'A' }, { value: 3, label: null }], '1,3', '1,3'],
    ['lookup', { id: 'aaaaaaaa-0000-0000-0000-000000000001', table: 'account', name: null }, 'aaaaaaaa-0000-0000-0000-000000000001', 'aaaaaaaa-0000-0000-0000-000000000001'],
    ['boolean', false, false, 'false'],
    ['null', undefined, null, null],
  ])('%s', (_name, stored, truth, text) => expect(storedText(stored, truth)).toBe(text));

  it.each([
    ['_ownerid_value', 'ownerid'],
    ['revenue', 'revenue'],
    ['revenue@OData.Community.Display.V1.FormattedValue', undefined],
  ])('field of %s', (property, field) => expect(fieldOf(property)).toBe(field));

  it('names the fields that are not exact: a money rounded through a double, a BigInt beyond 2^53, a cut string', () => {
    const truth = { '@odata.etag': 'W/"1"', new_widgetid: 'id1', new_budget: '922337203685476.9999', new_serialnumber: '9007199254740993', new_name: 'a😀"\\', new_score: '0.1', _ownerid_value: 'u1' };
    const exact = { _id: 'id1', new_budget: { value: Decimal128.fromString('922337203685476.9999'), currency: 'XTS' }, new_serialnumber: Long.fromString('9007199254740993'), new_name: 'a😀"\\', new_score: 0.1, ownerid: { id: 'u1', table: 'team', name: null } };
    expect(differentFields(truth, exact, 'new_widgetid')).toEqual([]);
    const rounded = { ...exact, new_budget: { value: Decimal128.fromString(String(922337203685476.9999)), currency: 'XTS' }, new_serialnumber: Number('9007199254740993'), new_name: 'a😀"' };
    expect(differentFields(truth, rounded, 'new_widgetid')).toEqual(['new_budget', 'new_serialnumber', 'new_name']);
  });
});
