import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { isSyncError } from '../shared/errors.ts';
import { startConsentCallback, type ConsentCallback } from './consent-callback.ts';

let cb: ConsentCallback | undefined;
afterEach(async () => {
  await cb?.close();
  cb = undefined;
});

const get = async (port: number, path: string) => {
  const res = await request(`http://127.0.0.1:${port}${path}`);
  await res.body.text();
  return res.statusCode;
};

describe('consent callback', () => {
  it('ignores a redirect with another or no state (400), then takes the code with the right state', async () => {
    cb = await startConsentCallback({ port: 0, state: 'st-1', timeoutMs: 10_000 });
    // the loopback literal where the callback listens (RFC 8252 §8.3), not `localhost`
    expect(cb.redirectUri).toBe(`http://127.0.0.1:${cb.port}/callback`);
    expect(await get(cb.port, '/callback?code=evil&state=other')).toBe(400);
    expect(await get(cb.port, '/callback?code=evil')).toBe(400);
    expect(await get(cb.port, '/favicon.ico')).toBe(404);
    expect(await get(cb.port, '/callback?code=the-code&state=st-1')).toBe(200);
    await expect(cb.code).resolves.toBe('the-code');
  });

  it('an error redirect fails with AUTH_FAILED naming the error and AADSTS number only', async () => {
    cb = await startConsentCallback({ port: 0, state: 's', timeoutMs: 10_000 });
    const description = encodeURIComponent('AADSTS65004: User declined to consent to access the app. secret-ish text');
    expect(await get(cb.port, `/callback?error=access_denied&error_description=${description}&state=s`)).toBe(200);
    const err = await cb.code.catch((e: unknown) => e);
    expect(isSyncError(err, 'AUTH_FAILED')).toBe(true);
    expect((err as Error).message).toBe('sign-in was refused by the identity provider: access_denied (AADSTS65004)');
  });

  it('gives up after the timeout', async () => {
    cb = await startConsentCallback({ port: 0, state: 's', timeoutMs: 50 });
    const err = await cb.code.catch((e: unknown) => e);
    expect(isSyncError(err, 'AUTH_FAILED')).toBe(true);
    expect((err as Error).message).toContain('no sign-in redirect arrived');
  });

  it('a port in use is a configuration error naming --port', async () => {
    cb = await startConsentCallback({ port: 0, state: 's', timeoutMs: 10_000 });
    const err = await startConsentCallback({ port: cb.port, state: 's', timeoutMs: 10_000 }).catch((e: unknown) => e);
    expect(isSyncError(err, 'CONFIG_INVALID')).toBe(true);
    expect((err as Error).message).toBe(`port ${cb.port} is already in use: choose another with --port`);
  });
});
