/**
 * The local end of the authorization-code flow: a node:http server on 127.0.0.1 that receives the identity
 * provider's redirect (`http://127.0.0.1:<port>/callback?code=…&state=…`, the loopback literal RFC 8252 §8.3
 * recommends: `localhost` may resolve elsewhere, or to ::1 where nothing listens), checks `state` against the one this
 * process generated (CSRF: a redirect with another or no state is answered 400 and ignored), and hands the code
 * over. A redirect carrying `error` ends the wait with AUTH_FAILED (the provider's error code and AADSTS number
 * only, never its text). The code is never logged.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SyncError } from '../shared/errors.ts';

/** The path of the redirect URI. */
export const CALLBACK_PATH = '/callback';

/** A listening callback endpoint. */
export interface ConsentCallback {
  /** `http://127.0.0.1:<port>/callback`: register `http://127.0.0.1/callback` (Entra ignores the port of loopback redirect URIs). */
  readonly redirectUri: string;
  readonly port: number;
  /** Resolves with the authorization code of the first redirect carrying the expected state. */
  readonly code: Promise<string>;
  close(): Promise<void>;
}

/** Options of {@link startConsentCallback}. */
export interface ConsentCallbackOptions {
  /** TCP port; 0 picks a free one. */
  port: number;
  /** The `state` sent in the authorize URL. */
  state: string;
  /** How long to wait for the redirect before AUTH_FAILED. */
  timeoutMs: number;
}

const page = (title: string, text: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>dynsync: ${title}</title></head><body><h1>${title}</h1><p>${text}</p></body></html>`;

/** Starts listening; CONFIG_INVALID naming `--port` when the port is taken. */
export async function startConsentCallback(opts: ConsentCallbackOptions): Promise<ConsentCallback> {
  let settle: { resolve(code: string): void; reject(err: SyncError): void } | undefined;
  const code = new Promise<string>((resolve, reject) => (settle = { resolve, reject }));
  code.catch(() => undefined); // observed by the caller; avoid an unhandled rejection if it never awaits
  const reply = (res: ServerResponse, status: number, title: string, text: string) =>
    void res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', connection: 'close' }).end(page(title, text));

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== CALLBACK_PATH) return reply(res, 404, 'Not found', 'This address only receives the sign-in redirect.');
    const q = url.searchParams;
    if (q.get('state') !== opts.state) return reply(res, 400, 'Unexpected sign-in response', 'The state does not match the sign-in this command started. Ignored.');
    const error = q.get('error');
    if (error !== null) {
      const aadsts = /AADSTS(\d+)/.exec(q.get('error_description') ?? '')?.[1];
      reply(res, 200, 'Sign-in failed', 'Return to the terminal for details.');
      return settle?.reject(new SyncError('AUTH_FAILED', `sign-in was refused by the identity provider: ${error.replace(/[^a-z_]/gi, '').slice(0, 40)}${aadsts ? ` (AADSTS${aadsts})` : ''}`));
    }
    const value = q.get('code');
    if (!value) return reply(res, 400, 'Unexpected sign-in response', 'The redirect carries no authorization code.');
    reply(res, 200, 'Signed in', 'dynsync received the authorization. You can close this window and return to the terminal.');
    settle?.resolve(value);
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, '127.0.0.1', () => resolve());
    });
  } catch (err) {
    const busy = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
    throw new SyncError('CONFIG_INVALID', busy ? `port ${opts.port} is already in use: choose another with --port` : `cannot listen on 127.0.0.1:${opts.port}: ${(err as Error).message}`, { cause: err });
  }
  const port = (server.address() as AddressInfo).port;
  const timer = setTimeout(
    () => settle?.reject(new SyncError('AUTH_FAILED', `no sign-in redirect arrived within ${Math.round(opts.timeoutMs / 1000)} s: run the command again and complete the sign-in in the browser`)),
    opts.timeoutMs,
  );
  timer.unref();
  return {
    redirectUri: `http://127.0.0.1:${port}${CALLBACK_PATH}`,
    port,
    code,
    close: async () => {
      clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
