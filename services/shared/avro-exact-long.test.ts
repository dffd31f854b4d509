import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { avroTypeOptions } from '../dataverse/mapping/logical-types.ts';
import { exactLongType, exactLongTypeHook } from './avro-exact-long.ts';

const plainLong = avro.Type.forSchema('long');

describe('exact long', () => {
  it.each<[number | bigint]>([[0], [1], [-1], [2 ** 31], [-(2 ** 31) - 1], [2 ** 52], [-(2 ** 52)]])(
    '%s: a number, and the same bytes as avsc long',
    (v) => {
      expect(exactLongType.toBuffer(v)).toEqual(plainLong.toBuffer(Number(v)));
      expect(exactLongType.fromBuffer(exactLongType.toBuffer(v))).toBe(v);
    },
  );

  it.each<[bigint]>([[2n ** 53n + 1n], [-(2n ** 53n) - 1n], [2n ** 63n - 1n], [-(2n ** 63n)]])('%s: round trip as a bigint', (v) => {
    const back = exactLongType.fromBuffer(exactLongType.toBuffer(v));
    expect(back).toBe(v);
    expect(String(back)).toBe(v.toString());
  });

  it.each([Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER])('%s: the largest safe integers round trip as numbers (avsc long reads -(2^53 - 2) back positive)', (v) => {
    expect(exactLongType.fromBuffer(exactLongType.toBuffer(v))).toBe(v);
  });

  it('a bigint that is a safe integer reads back as a number', () => {
    expect(exactLongType.fromBuffer(exactLongType.toBuffer(42n))).toBe(42);
  });

  it.each<[unknown]>([[2n ** 63n], [-(2n ** 63n) - 1n], [1.5], [2 ** 60], ['1'], [null]])('refuses %s', (v) => {
    expect(exactLongType.isValid(v)).toBe(false);
    expect(() => exactLongType.toBuffer(v)).toThrow();
  });

  it('replaces plain longs only: a timestamp-millis keeps its Date', () => {
    const type = avro.Type.forSchema(
      { type: 'record', name: 'R', fields: [{ name: 'n', type: ['null', 'long'] }, { name: 't', type: ['null', { type: 'long', logicalType: 'timestamp-millis' }] }] },
      avroTypeOptions(),
    );
    const value = { n: 9223372036854775807n, t: new Date('9999-12-30T23:59:59Z') };
    expect(type.fromBuffer(type.toBuffer(value))).toEqual(value);
    expect(exactLongTypeHook({ type: 'long', logicalType: 'timestamp-millis' })).toBeUndefined();
    expect(exactLongTypeHook('long')).toBe(exactLongType);
  });
});
