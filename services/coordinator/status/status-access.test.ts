import { describe, expect, it } from 'vitest';
import { isSyncError } from '../../shared/errors.ts';
import { authorized, hostAllowed, statusAccess, type StatusAccessEnv } from './status-access.ts';

const env = (e: Partial<StatusAccessEnv> = {}): StatusAccessEnv => ({ COORDINATOR_STATUS_ALLOWED_HOSTS: [], ...e });
const files: Record<string, string> = { '/run/secrets/token': 'a-token-of-24-characters\n', '/run/secrets/empty': '\n' };
const reader = (path: string) => {
  const text = files[path];
  if (text === undefined) throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
  return text;
};

describe('hostAllowed', () => {
  it.each<[string | undefined, string[], boolean]>([
    ['127.0.0.1:9180', ['127.0.0.1', 'localhost', '[::1]'], true],
    ['LOCALHOST:9180', ['127.0.0.1', 'localhost', '[::1]'], true],
    ['[::1]:9180', ['127.0.0.1', 'localhost', '[::1]'], true],
    ['127.0.0.1', ['127.0.0.1'], true],
    // DNS rebinding: the attacker's name resolves to the page's address, the browser sends that name
    ['evil.example:9180', ['127.0.0.1', 'localhost', '[::1]'], false],
    ['127.0.0.1.evil.example', ['127.0.0.1'], false],
    ['status.example.com', ['status.example.com'], true],
    ['status.example.com:8443', ['status.example.com:443'], false],
    ['status.example.com:443', ['status.example.com:443'], true],
    ['', ['127.0.0.1'], false],
    [undefined, ['127.0.0.1'], false],
  ])('Host %s with %j → %s', (host, allowed, expected) => {
    expect(hostAllowed(host, allowed)).toBe(expected);
  });
});

describe('statusAccess', () => {
  it('defaults to the loopback names and no authentication', () => {
    const a = statusAccess(env());
    expect(a.allowedHosts).toEqual(['127.0.0.1', 'localhost', '[::1]']);
    expect(authorized(undefined, a)).toBe(true);
    expect(a.challenge).toBeUndefined();
  });

  it('requires the bearer token when one is set (from a file too), compared in constant time', () => {
    const a = statusAccess(env({ COORDINATOR_STATUS_TOKEN_FILE: '/run/secrets/token', COORDINATOR_STATUS_ALLOWED_HOSTS: ['status.example.com'] }), reader);
    expect(a.allowedHosts).toEqual(['status.example.com']);
    expect(authorized(undefined, a)).toBe(false);
    expect(authorized('Bearer wrong', a)).toBe(false);
    expect(authorized('Bearer a-token-of-24-characters', a)).toBe(true);
    expect(a.challenge).toMatch(/^Bearer/);
    expect(JSON.stringify(a.summary)).not.toContain('a-token-of');
  });

  it('accepts basic authentication, and either credential when both are set', () => {
    const a = statusAccess(env({ COORDINATOR_STATUS_USERNAME: 'ops', COORDINATOR_STATUS_PASSWORD: 'pw', COORDINATOR_STATUS_TOKEN: 'a-token-of-24-characters' }));
    const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
    expect(authorized(basic('ops', 'pw'), a)).toBe(true);
    expect(authorized(basic('ops', 'nope'), a)).toBe(false);
    expect(authorized('Bearer a-token-of-24-characters', a)).toBe(true);
    expect(a.challenge).toMatch(/^Basic realm="dynsync status"/);
  });

  it.each<[string, Partial<StatusAccessEnv>, string]>([
    ['a short token', { COORDINATOR_STATUS_TOKEN: 'short' }, 'COORDINATOR_STATUS_TOKEN'],
    ['an empty token file', { COORDINATOR_STATUS_TOKEN_FILE: '/run/secrets/empty' }, 'COORDINATOR_STATUS_TOKEN_FILE'],
    ['a missing token file', { COORDINATOR_STATUS_TOKEN_FILE: '/run/secrets/none' }, 'COORDINATOR_STATUS_TOKEN_FILE'],
    ['a user without password', { COORDINATOR_STATUS_USERNAME: 'ops' }, 'COORDINATOR_STATUS_PASSWORD'],
    ['a password without user', { COORDINATOR_STATUS_PASSWORD: 'pw' }, 'COORDINATOR_STATUS_USERNAME'],
    ['a user with a colon', { COORDINATOR_STATUS_USERNAME: 'a:b', COORDINATOR_STATUS_PASSWORD: 'pw' }, 'COORDINATOR_STATUS_USERNAME'],
  ])('refuses %s, naming the variable', (_name, e, variable) => {
    let thrown: unknown;
    try {
      statusAccess(env(e), reader);
    } catch (err) {
      thrown = err;
    }
    expect(isSyncError(thrown, 'CONFIG_INVALID')).toBe(true);
    expect((thrown as Error).message).toContain(`  ${variable}: `);
    expect((thrown as Error).message).not.toContain('short');
  });
});
