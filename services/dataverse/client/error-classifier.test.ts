import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../shared/errors.ts';
import { classifyResponse, classifyTransportError, invalidBodyError, parseRetryAfter } from './error-classifier.ts';

const NOW = Date.parse('2025-01-01T00:00:00Z');
const body = (code: string, message = 'm') => JSON.stringify({ error: { code, message } });

describe('classifyResponse (status + Dataverse code table)', () => {
  it.each<[string, number, string, string | undefined, ErrorCode, boolean]>([
    ['401 empty body', 401, '', undefined, 'AUTH_TOKEN_EXPIRED', true],
    ['403 privilege denied', 403, body('0x80040220', 'Principal user is missing prvReadAccount'), undefined, 'AUTH_FORBIDDEN', false],
    ['403 without code', 403, '', undefined, 'AUTH_FORBIDDEN', false],
    ['404 unknown entity set', 404, body('0x8006088a', "Resource not found for the segment 'Account'."), undefined, 'DATAVERSE_NOT_FOUND', false],
    ['404 record not found', 404, body('0x80040217'), undefined, 'DATAVERSE_NOT_FOUND', false],
    ['429 request count', 429, body('0x80072322'), '7', 'DATAVERSE_THROTTLED', true],
    ['429 execution time', 429, body('0x80072321'), '30', 'DATAVERSE_THROTTLED', true],
    ['429 concurrency', 429, body('0x80072326'), '1', 'DATAVERSE_THROTTLED', true],
    ['400 expired delta token', 400, body('0x80044352', 'Version stamp associated with the client has expired.'), undefined, 'DATAVERSE_DELTA_EXPIRED', false],
    ['upper-case hex code', 400, body('0X80044352'), undefined, 'DATAVERSE_DELTA_EXPIRED', false],
    ['400 bad property', 400, body('0x0', "Could not find a property named 'Name'"), undefined, 'DATAVERSE_BAD_REQUEST', false],
    ['414 URL too long', 414, '', undefined, 'DATAVERSE_BAD_REQUEST', false],
    ['408', 408, '', undefined, 'DATAVERSE_TIMEOUT', true],
    ['504', 504, '<html>gateway</html>', undefined, 'DATAVERSE_TIMEOUT', true],
    ['500', 500, body('0x80040216'), undefined, 'DATAVERSE_UNAVAILABLE', true],
    ['503 html body', 503, '<html>down</html>', undefined, 'DATAVERSE_UNAVAILABLE', true],
    ['302 unexpected', 302, '', undefined, 'DATAVERSE_UNAVAILABLE', true],
  ])('%s', (_name, status, text, retryAfter, code, retriable) => {
    const err = classifyResponse({ status, body: text, retryAfter, path: '/api/data/v9.2/accounts', nowMs: NOW });
    expect(err.code).toBe(code);
    expect(err.retriable).toBe(retriable);
    expect(err.details.path).toBe('/api/data/v9.2/accounts');
    expect(err.details.status).toBe(status);
    expect(err.message).toContain('/api/data/v9.2/accounts');
  });

  it('carries Retry-After on 429', () => {
    const err = classifyResponse({ status: 429, body: body('0x80072322'), retryAfter: '7', path: '/p', nowMs: NOW });
    expect(err.retryAfterMs).toBe(7000);
    expect(err.details.dataverseCode).toBe('0x80072322');
  });

  it('tells the user what to do on 403', () => {
    expect(classifyResponse({ status: 403, body: '', path: '/p', nowMs: NOW }).message).toMatch(/application user lacks a security role/);
  });
});

describe('parseRetryAfter', () => {
  it.each<[string | undefined, number | undefined]>([
    [undefined, undefined],
    ['', undefined],
    ['0', 0],
    ['5', 5000],
    ['1.5', 1500],
    ['Wed, 01 Jan 2025 00:00:10 GMT', 10_000],
    ['Tue, 31 Dec 2024 23:59:00 GMT', 0],
    ['soon', undefined],
  ])('%s → %s', (value, ms) => {
    expect(parseRetryAfter(value, NOW)).toBe(ms);
  });
});

describe('classifyTransportError', () => {
  const withCode = (code: string, cause?: unknown) => Object.assign(new Error('x'), { code, cause });
  it.each<[string, unknown, ErrorCode]>([
    ['headers timeout', withCode('UND_ERR_HEADERS_TIMEOUT'), 'DATAVERSE_TIMEOUT'],
    ['body timeout', withCode('UND_ERR_BODY_TIMEOUT'), 'DATAVERSE_TIMEOUT'],
    ['connect timeout', withCode('UND_ERR_CONNECT_TIMEOUT'), 'DATAVERSE_TIMEOUT'],
    ['reset inside socket error', withCode('UND_ERR_SOCKET', withCode('ECONNRESET')), 'DATAVERSE_UNAVAILABLE'],
    ['refused', withCode('ECONNREFUSED'), 'DATAVERSE_UNAVAILABLE'],
    ['truncated body', withCode('UND_ERR_RES_CONTENT_LENGTH_MISMATCH'), 'DATAVERSE_UNAVAILABLE'],
    ['self-signed cert', withCode('DEPTH_ZERO_SELF_SIGNED_CERT'), 'CONFIG_INVALID'],
    ['untrusted chain wrapped', withCode('UND_ERR_SOCKET', withCode('SELF_SIGNED_CERT_IN_CHAIN')), 'CONFIG_INVALID'],
    ['no code', new Error('boom'), 'DATAVERSE_UNAVAILABLE'],
  ])('%s', (_name, err, code) => {
    const e = classifyTransportError(err, '/api/data/v9.2/accounts');
    expect(e.code).toBe(code);
    expect(e.details.path).toBe('/api/data/v9.2/accounts');
  });

  it('marks an invalid body retriable and names the path', () => {
    const e = invalidBodyError('/api/data/v9.2/accounts', new SyntaxError('Unexpected end of JSON input'));
    expect(e.code).toBe('DATAVERSE_UNAVAILABLE');
    expect(e.retriable).toBe(true);
    expect(e.message).toContain('/api/data/v9.2/accounts');
  });
});
