/**
 * Guards patches/mongodb+7.9.0.patch. mongodb 7.9's `Connection.writeCommand` waits for the socket's 'drain' event
 * when a write is not flushed at once, but a destroyed socket (the server closed the connection, and the close was
 * delivered while the request was being serialized) emits neither 'drain' nor 'error': the command never settled,
 * whatever its socket timeout. When it was the server monitor's heartbeat, the client stopped checking the server and
 * stayed "unreachable" after the server came back (fault case 4). Patched, such a command fails at once with a
 * network error, which the driver handles like any closed connection.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoNetworkError } from 'mongodb';

const require = createRequire(import.meta.url);
// the driver's internal connection class (the patched file)
const { Connection } = require('mongodb/lib/cmap/connection.js') as { Connection: new (socket: Socket, options: object) => { command: (ns: unknown, cmd: object, options: object) => Promise<unknown> } };
const { ns } = require('mongodb/lib/utils.js') as { ns: (s: string) => unknown };

/** How long a command may take to settle: the patched one settles at once, the unpatched one never. */
const SETTLE_MS = 2_000;

function settled<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown } | 'pending'> {
  return Promise.race([
    p.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error })),
    new Promise<'pending'>((r) => setTimeout(() => r('pending'), SETTLE_MS)),
  ]);
}

describe('mongodb driver patch: a write on a closed connection fails instead of waiting for drain forever', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((s) => s.on('error', () => undefined)); // accepts and never answers
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const openConnection = async () => {
    const socket = connect(port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    return { socket, connection: new Connection(socket, { id: 'probe', generation: 0, socketTimeoutMS: 10_000 }) };
  };

  it.each([
    ['the socket is destroyed in the same tick as the command (its close arrives while the request is serialized)', (socket: Socket, send: () => Promise<unknown>) => {
      socket.destroy();
      return send();
    }],
    ['the socket is destroyed just before the command is written', (socket: Socket, send: () => Promise<unknown>) => {
      const p = send();
      socket.destroy();
      return p;
    }],
  ])('%s', async (_name, scenario) => {
    const { socket, connection } = await openConnection();
    const outcome = await settled(scenario(socket, () => connection.command(ns('admin.$cmd'), { hello: 1 }, {})));
    expect(outcome).not.toBe('pending');
    expect(outcome).toMatchObject({ ok: false });
    expect((outcome as { error: unknown }).error).toBeInstanceOf(MongoNetworkError);
  });
});
