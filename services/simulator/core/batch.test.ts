import { parseMultipart } from '@remix-run/multipart-parser';
import { describe, expect, it } from 'vitest';
import { batchResponseBody, MAX_BATCH_OPERATIONS, parseBatch } from './batch.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const part = (request: string) => `--b1\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n${request}\r\n`;

describe('$batch parsing', () => {
  it('reads GET requests with absolute URLs, absolute paths and paths relative to the service root, with their headers', () => {
    const body =
      part('GET https://org.crm.dynamics.com/api/data/v9.2/accounts?$select=name HTTP/1.1\r\nAccept: application/json\r\nPrefer: odata.maxpagesize=10') +
      part('GET /api/data/v9.2/WhoAmI HTTP/1.1\r\n') +
      part('GET contacts?$top=1 HTTP/1.1') +
      '--b1--\r\n';
    // dynamics-web-api starts the body with a CRLF preamble (RFC 2046 allows one)
    const parsed = parseBatch(enc('\r\n' + body), 'multipart/mixed;boundary=b1');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.operations.map((o) => [o.method, o.target])).toEqual([
      ['GET', 'https://org.crm.dynamics.com/api/data/v9.2/accounts?$select=name'],
      ['GET', '/api/data/v9.2/WhoAmI'],
      ['GET', 'contacts?$top=1'],
    ]);
    expect(parsed.operations[0]?.headers.get('prefer')).toBe('odata.maxpagesize=10');
    expect(parsed.changeSets).toBe(0);
  });

  it('finds writes and change sets', () => {
    const changeSet = '--b1\r\nContent-Type: multipart/mixed; boundary=cs1\r\n\r\n--cs1\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: 1\r\n\r\nPOST accounts HTTP/1.1\r\nContent-Type: application/json\r\n\r\n{"name":"x"}\r\n--cs1--\r\n';
    const parsed = parseBatch(enc(part('DELETE accounts(00000000-0000-0000-0000-000000000001) HTTP/1.1') + changeSet + '--b1--'), 'multipart/mixed; boundary="b1"');
    expect(parsed).toMatchObject({ ok: true, changeSets: 1 });
    if (parsed.ok) expect(parsed.operations.map((o) => [o.method, o.changeSet])).toEqual([['DELETE', undefined], ['POST', 1]]);
  });

  it.each<[string, string | undefined, string, RegExp]>([
    ['no boundary', 'multipart/mixed', part('GET accounts HTTP/1.1') + '--b1--', /multipart\/mixed' with a boundary/],
    ['not multipart', 'application/json', '{}', /multipart\/mixed' with a boundary/],
    ['a bad request line', 'multipart/mixed;boundary=b1', part('FETCH') + '--b1--', /not a valid HTTP request line/],
    ['too many operations', 'multipart/mixed;boundary=b1', part('GET accounts HTTP/1.1').repeat(MAX_BATCH_OPERATIONS + 1) + '--b1--', /A maximum number of '1000' query operations/],
  ])('refuses %s with a clear message', (_name, type, body, message) => {
    const parsed = parseBatch(enc(body), type);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(message);
  });

  it('writes one application/http part per response, each with its status, that a multipart parser reads back', () => {
    const body = batchResponseBody('batchresponse_1', [
      { status: 200, statusText: 'OK', headers: { 'Content-Type': 'application/json; odata.metadata=minimal', 'OData-Version': '4.0' }, body: '{"value":[]}' },
      { status: 404, statusText: 'Not Found', headers: {}, body: '{"error":{"code":"0x8006088a","message":"x"}}' },
    ]);
    const parts = [...parseMultipart(enc(body), { boundary: 'batchresponse_1' })];
    expect(parts.map((p) => p.headers['content-type'])).toEqual(['application/http', 'application/http']);
    expect(parts.map((p) => p.text.split('\r\n')[0])).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 404 Not Found']);
    expect(parts[0]?.text.endsWith('\r\n\r\n{"value":[]}')).toBe(true);
  });
});
