import { describe, expect, it } from 'vitest';
import { parseDataverseJson, quoteNumbers } from './parse-dataverse-json.ts';

/** The source-text reviver (the former implementation): the reference the single-pass parser must match exactly. */
const reference = (text: string): unknown =>
  JSON.parse(text, ((_key: string, value: unknown, context?: { source?: string }) =>
    typeof value === 'number' && context?.source !== undefined ? context.source : value) as (this: unknown, key: string, value: unknown) => unknown);

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

  it.each<[string, string, unknown]>([
    ['a bare number', '42', '42'],
    ['a bare negative exponent', '-1.5e+300', '-1.5e+300'],
    ['-0 and -0.0', '[-0,-0.0,0]', ['-0', '-0.0', '0']],
    ['a huge money value', '{"m":922337203685477.0000}', { m: '922337203685477.0000' }],
    ['exponents in every form', '[1e5,1E5,1e+5,1e-5,2.5E-10,0e0]', ['1e5', '1E5', '1e+5', '1e-5', '2.5E-10', '0e0']],
    ['numbers in nested arrays', '[[1,[2,[3.0]]],[]]', [['1', ['2', ['3.0']]], []]],
    ['nested objects', '{"a":{"b":{"c":-7}},"d":{}}', { a: { b: { c: '-7' } }, d: {} }],
    ['empty containers', '{"a":[],"b":{},"c":[{}]}', { a: [], b: {}, c: [{}] }],
    ['whitespace around numbers', ' { "a" : 1 ,\n\t"b" :\r\n[ 2 , 3 ] } ', { a: '1', b: ['2', '3'] }],
    ['strings with digits', '{"a":"12.50","b":"-3","c":"x1e5","d":"1,2,3"}', { a: '12.50', b: '-3', c: 'x1e5', d: '1,2,3' }],
    ['escaped quotes then a number', '{"a":"say \\"1\\"","b":2}', { a: 'say "1"', b: '2' }],
    ['escaped backslashes before the closing quote', '{"a":"c:\\\\","b":3,"c":"\\\\\\"4\\\\"}', { a: 'c:\\', b: '3', c: '\\"4\\' }],
    ['unicode escapes with digits', '{"a":"\\u0031\\u00e9","b":5}', { a: '1é', b: '5' }],
    ['digits after a colon inside a string', '{"t":"10:30, 5:1","n":6}', { t: '10:30, 5:1', n: '6' }],
    ['numeric-looking keys', '{"1":1,"-2":[2]}', { '1': '1', '-2': ['2'] }],
    ['booleans and nulls untouched', '[true,false,null,1]', [true, false, null, '1']],
    ['annotations', '{"a@OData.Community.Display.V1.FormattedValue":"$1,000.00","a":1000.0000}', { 'a@OData.Community.Display.V1.FormattedValue': '$1,000.00', a: '1000.0000' }],
  ])('%s', (_name, text, expected) => {
    expect(parseDataverseJson(text)).toEqual(expected);
    expect(parseDataverseJson(text)).toEqual(reference(text));
  });

  it('keeps strings with unicode, NUL and RTL text intact', () => {
    expect(parseDataverseJson('{"name":"a\\u0000b 😀 שלום"}')).toEqual({ name: 'a\u0000b 😀 שלום' });
  });

  it('does not let __proto__ keys pollute prototypes', () => {
    const body = parseDataverseJson('{"__proto__":{"polluted":1}}') as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(body, '__proto__')).toBe(true);
  });

  it.each([
    [''], ['{'], ['<html>'], ['{"a":1}x'], ['{1:2}'], ['{"a":{-1 :2}}'], ['[-]'], ['[1.]'], ['[.5]'], ['[1e]'], ['[1e+]'], ['[01]'], ['[-01]'],
    ['[+1]'], ['[1 2]'], ['[1"a"]'], ['["a"1]'], ['[--1]'], ['[1.2.3]'], ['[NaN]'], ['[-Infinity]'], ['{"a":"unterminated}'], ['["a\\"]'],
    ['["raw\nnewline"]'], ['[1,]'], ['{"a":1,}'], ['12true'],
  ])('refuses %j with DATAVERSE_PAYLOAD_INVALID', (text) => {
    expect(() => reference(text)).toThrow(SyntaxError);
    expect(() => parseDataverseJson(text)).toThrow(expect.objectContaining({ code: 'DATAVERSE_PAYLOAD_INVALID' }));
  });

  it('does not echo the body in the error', () => {
    expect(() => parseDataverseJson('secret-customer-data')).toThrow(expect.objectContaining({ message: expect.not.stringContaining('secret-customer') }));
  });
});

describe('quoteNumbers', () => {
  it.each([
    ['{"a":1,"b":[-2.5e3,"3"]}', '{"a":"1","b":["-2.5e3","3"]}'],
    ['{"a":"no numbers"}', '{"a":"no numbers"}'],
    ['{1:2}', '{1:"2"}'],
    ['[-]', '[-]'],
  ])('%j → %j', (text, quoted) => {
    expect(quoteNumbers(text)).toBe(quoted);
  });
});
