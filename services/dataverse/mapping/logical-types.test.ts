import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { avroLogicalTypes, daysFromIsoDate, isoDateFromDays } from './logical-types.ts';

const opts = { logicalTypes: avroLogicalTypes };
const decimal = (precision: number, scale: number) =>
  avro.Type.forSchema(['null', { type: 'bytes', logicalType: 'decimal', precision, scale }], opts);
const money = decimal(38, 4);

describe('decimal logical type', () => {
  it.each<[number, string, string]>([
    [4, '922337203685477.0000', '922337203685477.0000'],
    [4, '922337203685477.5807', '922337203685477.5807'],
    [4, '-922337203685477.0000', '-922337203685477.0000'],
    [4, '-922337203685477.5808', '-922337203685477.5808'],
    [4, '-0.0001', '-0.0001'],
    [4, '0', '0.0000'],
    [4, '-0', '0.0000'],
    [4, '20000', '20000.0000'],
    [4, '0.1', '0.1000'],
    [4, '1.23450000', '1.2345'],
    [4, '99999999999999999999999999999999.9999', '99999999999999999999999999999999.9999'],
    [10, '1e-10', '0.0000000001'],
    [10, '0.0000000001', '0.0000000001'],
    [0, '42', '42'],
    [2, '-1.5', '-1.50'],
  ])('scale %i: %s → %s, exactly', (scale, input, output) => {
    const type = decimal(38, scale);
    const buf = type.toBuffer(input);
    expect(type.fromBuffer(buf)).toBe(output);
    expect(type.fromBuffer(type.toBuffer(output))).toBe(output);
  });

  it('writes the Avro spec encoding: two’s-complement big-endian unscaled bytes', () => {
    const type = avro.Type.forSchema({ type: 'bytes', logicalType: 'decimal', precision: 38, scale: 4 }, opts);
    // -0.0001 → unscaled -1 → one byte 0xff; Avro bytes = zig-zag length 1 (0x02) then the byte.
    expect([...type.toBuffer('-0.0001')]).toEqual([0x02, 0xff]);
    // 1.2800 → unscaled 12800 = 0x3200.
    expect([...type.toBuffer('1.28')]).toEqual([0x04, 0x32, 0x00]);
    const raw = avro.Type.forSchema('bytes');
    expect([...raw.fromBuffer(type.toBuffer('0.0128'))]).toEqual([0x00, 0x80]);
  });

  it.each<[string, unknown, RegExp]>([
    ['more decimals than the scale', '1.00001', /more than 4 decimals/],
    ['-0.00001', '-0.00001', /more than 4 decimals/],
    ['a JS number', 922337203685477, /must be a string/],
    ['a bigint', 1n, /must be a string/],
    ['garbage', '12abc', /not a decimal/],
    ['an empty string', '', /not a decimal/],
    ['more digits than the precision', '1'.repeat(35) + '.0', /exceeds 38 digits/],
  ])('refuses %s with RECORD_INVALID', (_name, value, message) => {
    const bare = avro.Type.forSchema({ type: 'bytes', logicalType: 'decimal', precision: 38, scale: 4 }, opts);
    expect(() => bare.toBuffer(value)).toThrow(expect.objectContaining({ code: 'RECORD_INVALID', message: expect.stringMatching(message) }));
    // Inside a nullable union avsc reports its own "invalid" error, but never encodes the value.
    expect(money.isValid(value)).toBe(false);
    expect(() => money.toBuffer(value)).toThrow();
  });

  it('keeps null in the nullable union', () => {
    expect(money.fromBuffer(money.toBuffer(null))).toBeNull();
  });

  it('exports its attributes with the schema', () => {
    expect(decimal(38, 4).schema({ exportAttrs: true })).toEqual(['null', { type: 'bytes', logicalType: 'decimal', precision: 38, scale: 4 }]);
  });

  it('resolves from the same scale and refuses another scale', () => {
    const writer = decimal(20, 4);
    const reader = decimal(38, 4);
    expect(reader.fromBuffer(writer.toBuffer('1.5'), reader.createResolver(writer))).toBe('1.5000');
    expect(() => decimal(38, 2).createResolver(writer)).toThrow();
    const bytes = avro.Type.forSchema(['null', 'bytes']);
    expect(reader.fromBuffer(bytes.toBuffer(Buffer.from([0xff])), reader.createResolver(bytes))).toBe('-0.0001');
  });
});

describe('date logical type', () => {
  const date = avro.Type.forSchema({ type: 'int', logicalType: 'date' }, opts);
  const int = avro.Type.forSchema('int');

  it.each<[string, number]>([
    ['1970-01-01', 0],
    ['1970-01-02', 1],
    ['1969-12-31', -1],
    ['2024-02-29', 19782],
    ['1753-01-01', -79257],
    ['9999-12-31', 2932896],
    ['0001-01-01', -719162],
  ])('%s ↔ day %i', (text, days) => {
    expect(int.fromBuffer(date.toBuffer(text))).toBe(days);
    expect(date.fromBuffer(int.toBuffer(days))).toBe(text);
    expect(daysFromIsoDate(text)).toBe(days);
    expect(isoDateFromDays(days)).toBe(text);
  });

  it.each([['2023-02-29'], ['2024-13-01'], ['2024-00-10'], ['2024-1-1'], ['2024-01-01T00:00:00Z'], ['0000-01-01'], [''], [19782]])(
    'refuses %j',
    (value) => {
      expect(() => date.toBuffer(value)).toThrow(expect.objectContaining({ code: 'RECORD_INVALID' }));
    },
  );
});

describe('timestamp-millis logical type', () => {
  const ts = avro.Type.forSchema(['null', { type: 'long', logicalType: 'timestamp-millis' }], opts);

  it.each([['2024-01-01T00:00:00.000Z'], ['1753-01-01T00:00:00.000Z'], ['2023-04-07T21:59:01.123Z']])('%s round-trips', (iso) => {
    const out = ts.fromBuffer(ts.toBuffer(new Date(iso)));
    expect(out).toBeInstanceOf(Date);
    expect((out as Date).toISOString()).toBe(iso);
  });

  it.each([[new Date(Number.NaN)], ['2024-01-01T00:00:00Z'], [1704067200000]])('refuses %j', (value) => {
    expect(() => ts.toBuffer(value)).toThrow();
  });
});
