import { describe, expect, it } from 'vitest';
import { parseDataverseJson, quoteNumbers, splitCollection } from './parse-dataverse-json.ts';
import { seededRandom as random } from './seeded-random.fixture.ts';

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

const NUMBER_TEXTS = ['0', '-0', '42', '-7', '922337203685477.5807', '-922337203685477.0000', '9223372036854775807', '1E-10', '2.5e+3', '0.1000'];
const STRING_TEXTS = ['', 'plain', 'say \\"1\\"', 'c:\\\\', '\\u0031\\u00e9', '10:30, 5:1', '[{\\"value\\":[1]}]', 'café 😀 שלום', '\\n\\t', '\\"value\\"', '],[', '}'];

/** A JSON value text of depth at most `depth`, drawn from numbers, strings with tricky content, literals and containers. */
function jsonValue(next: () => number, depth: number): string {
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const r = next();
  if (depth > 0 && r < 0.15) return `[${Array.from({ length: Math.floor(next() * 3) }, () => jsonValue(next, depth - 1)).join(pick([',', ' , ']))}]`;
  if (depth > 0 && r < 0.3) return jsonObject(next, depth - 1);
  if (r < 0.55) return pick(NUMBER_TEXTS);
  if (r < 0.85) return `"${pick(STRING_TEXTS)}"`;
  return pick(['true', 'false', 'null']);
}

function jsonObject(next: () => number, depth: number): string {
  const keys = ['value', 'a', '@odata.etag', 'x@OData.Community.Display.V1.FormattedValue', '1', 'new_price'];
  const props = Array.from({ length: Math.floor(next() * 5) }, (_, i) => `"${keys[Math.floor(next() * keys.length)]}${i}":${next() < 0.5 ? ' ' : ''}${jsonValue(next, depth)}`);
  return `{${props.join(',')}}`;
}

/** A collection body with `rows` generated rows and annotations around its value array. */
function collectionBody(next: () => number, rows: number): string {
  const value = Array.from({ length: rows }, () => (next() < 0.9 ? jsonObject(next, 2) : jsonValue(next, 1)));
  const sep = next() < 0.5 ? ',' : ' ,\n ';
  const before = next() < 0.5 ? '"@odata.context":"https://org/$metadata#x","@odata.count":5000,' : '';
  const after = next() < 0.5 ? ',"@odata.nextLink":"https://org/api?$skiptoken=%3Ccookie%20page=%222%22%3E"' : '';
  return `{${before}"value"${next() < 0.5 ? ' : ' : ':'}[${next() < 0.5 ? ' ' : ''}${value.join(sep)}]${after}}`;
}

describe('splitCollection', () => {
  const rowsOf = (text: string | Uint8Array) => {
    const split = splitCollection(text);
    return Array.from({ length: split.length }, (_, i) => split.row(i));
  };

  it('gives the rows and the envelope parseDataverseJson gives (generated bodies)', () => {
    const next = random(19);
    for (let k = 0; k < 500; k++) {
      const text = collectionBody(next, Math.floor(next() * 6));
      const whole = parseDataverseJson(text) as { value: unknown[] };
      expect(rowsOf(text), text).toEqual(whole.value);
      expect(splitCollection(text).envelope, text).toEqual({ ...whole, value: [] });
    }
  });

  it.each<[string, string, unknown[], unknown]>([
    ['an empty page', '{"value":[]}', [], { value: [] }],
    ['the empty delta answer', '{}', [], {}],
    ['a body without value', '{"@odata.count":3,"a":[1,2]}', [], { '@odata.count': '3', a: ['1', '2'] }],
    ['value that is not an array', '{"value":5}', [], { value: '5' }],
    ['a nested value array is not the rows', '{"x":{"value":[1]},"value":[{"value":[2]}]}', [{ value: ['2'] }], { x: { value: ['1'] }, value: [] }],
    ['a value key inside a string', '{"a":"\\"value\\":[1]","value":[3]}', ['3'], { a: '"value":[1]', value: [] }],
    ['elements of every kind', '{"value":[ 1 ,"s",null,[2],{"n":-0.50} ]}', ['1', 's', null, ['2'], { n: '-0.50' }], { value: [] }],
    ['whitespace everywhere', ' {\n "value" :\t[ {"a" : 1} ,\r\n{ } ] ,"b":2 } ', [{ a: '1' }, {}], { value: [], b: '2' }],
  ])('%s', (_name, text, rows, envelope) => {
    expect(rowsOf(text)).toEqual(rows);
    expect(splitCollection(text).envelope).toEqual(envelope);
  });

  it('reads UTF-8 bytes: a leading byte order mark skipped, multi-byte characters in rows and keys intact', () => {
    const text = '{"value":[{"name":"Café 😀 שלום","n":1.50},{"é😀":-2,"s":"\\u00e9"}],"@odata.nextLink":"https://org/x"}';
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...Buffer.from(text)]);
    expect(rowsOf(bytes)).toEqual([{ name: 'Café 😀 שלום', n: '1.50' }, { 'é😀': '-2', s: 'é' }]);
    expect(splitCollection(bytes).envelope).toEqual({ value: [], '@odata.nextLink': 'https://org/x' });
    expect(parseDataverseJson(bytes)).toEqual(parseDataverseJson(text));
  });

  it('refuses every truncation of a body at once (a cut connection)', () => {
    const text = collectionBody(random(7), 4);
    for (let cut = 0; cut < text.length; cut++) {
      expect(() => splitCollection(text.slice(0, cut)), text.slice(0, cut)).toThrow(expect.objectContaining({ code: 'DATAVERSE_PAYLOAD_INVALID' }));
    }
  });

  it.each([
    ['{"value":[{},]}'], ['{"value":[,{}]}'], ['{"value":[{}}'], ['{"value":[{}],}'], ['{"value":[{"a":"x}]}'], ['{"value":[{}]]'],
    ['{"value":[{}],"b":}'], ['<html>'], [''],
  ])('refuses %j when it is cut', (text) => {
    expect(() => parseDataverseJson(text)).toThrow(expect.objectContaining({ code: 'DATAVERSE_PAYLOAD_INVALID' }));
    expect(() => splitCollection(text)).toThrow(expect.objectContaining({ code: 'DATAVERSE_PAYLOAD_INVALID' }));
  });

  it.each([['{"value":[{"a" 1}]}'], ['{"value":[{"a":1,}]}'], ['{"value":[{"a":[1}]]}'], ['{"value":[{} {}]}'], ['{"value":[01]}']])(
    'refuses the malformed row of %j when it is parsed, without echoing it',
    (text) => {
      expect(() => parseDataverseJson(text)).toThrow(expect.objectContaining({ code: 'DATAVERSE_PAYLOAD_INVALID' }));
      const split = splitCollection(text);
      expect(split.length).toBe(1);
      expect(() => split.row(0)).toThrow(expect.objectContaining({ code: 'DATAVERSE_PAYLOAD_INVALID', message: expect.not.stringContaining('"a"') }));
    },
  );
});
