import { describe, expect, it } from 'vitest';
import { parseDataverseJson } from './parse-dataverse-json.ts';

describe('parseDataverseJson', () => {
  it('keeps every number as its exact source text', () => {
    const body = parseDataverseJson(
      '{"@odata.count":5000,"value":[{"revenue":922337203685477.5807,"low":-0.0001,"zero":0.0000,"tiny":1E-10,' +
        '"versionnumber":9223372036854775807,"n":42,"d":0.1,"s":"12.50","b":true,"x":null,"a":[1,2.50]}]}',
    );
    expect(body).toEqual({
      '@odata.count': '5000',
      value: [
        {
          revenue: '922337203685477.5807',
          low: '-0.0001',
          zero: '0.0000',
          tiny: '1E-10',
          versionnumber: '9223372036854775807',
          n: '42',
          d: '0.1',
          s: '12.50',
          b: true,
          x: null,
          a: ['1', '2.50'],
        },
      ],
    });
  });

  it('keeps strings with unicode, NUL and RTL text intact', () => {
    expect(parseDataverseJson('{"name":"a\\u0000b 😀 שלום"}')).toEqual({ name: 'a\u0000b 😀 שלום' });
  });

  it('does not let __proto__ keys pollute prototypes', () => {
    const body = parseDataverseJson('{"__proto__":{"polluted":1}}') as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(body, '__proto__')).toBe(true);
  });

  it.each([[''], ['{'], ['<html>'], ['{"a":1}x']])('refuses %j with DATAVERSE_PAYLOAD_INVALID', (text) => {
    expect(() => parseDataverseJson(text)).toThrow(expect.objectContaining({ code: 'DATAVERSE_PAYLOAD_INVALID' }));
  });

  it('does not echo the body in the error', () => {
    expect(() => parseDataverseJson('secret-customer-data')).toThrow(expect.objectContaining({ message: expect.not.stringContaining('secret-customer') }));
  });
});
