/**
 * The services' MongoDB client against the real store: a heartbeat that never ends (the wedged driver monitor of
 * fault case 4, simulated by its event) makes the client reconnect, after which the same `Db` handle works; the
 * owner's close ends the watch.
 */
import { describe, expect, it, vi } from 'vitest';
import { MongoClient } from 'mongodb';
import type { Logger } from '../../services/shared/log.ts';
import { reviveStalledMonitor } from '../../services/shared/store-client.ts';
import { servers, uniqueName } from '../support/servers.ts';
import { eventually } from '../../harness/service-process.ts';

const fakeLog = () => ({ warn: vi.fn(), info: vi.fn(), debug: vi.fn() });
const messages = (fn: ReturnType<typeof vi.fn>) => fn.mock.calls.map((c) => c.at(-1) as string);
/** The driver's current topology (internal: replaced by a reconnect, undefined once closed). */
const topologyOf = (client: MongoClient) => (client as unknown as { topology?: object }).topology;

describe('reviveStalledMonitor', () => {
  it('reconnects a client whose heartbeat never ends; the Db handle taken before keeps working', async () => {
    const client = await new MongoClient(servers.mongoUri(), { serverSelectionTimeoutMS: 10_000 }).connect();
    const log = fakeLog();
    const stop = reviveStalledMonitor(client, log as unknown as Logger, { stallMs: 300, checkEveryMs: 100 });
    try {
      const coll = client.db(uniqueName('storeclient')).collection<{ _id: string; n: number }>('docs');
      await coll.insertOne({ _id: 'a', n: 1 });
      const topologyBefore = topologyOf(client);
      client.emit('serverHeartbeatStarted', { connectionId: 'wedged.example:27017', awaited: false } as never);
      await eventually(async () => messages(log.info).includes('MongoDB client reconnected'), 15_000);
      expect(messages(log.warn)).toContain('MongoDB client stalled: a server check never ended; reconnecting the client');
      expect(log.warn.mock.calls[0]![0]).toMatchObject({ store: 'wedged.example:27017' });
      expect(topologyOf(client)).not.toBe(topologyBefore);
      expect(await coll.findOne({ _id: 'a' })).toEqual({ _id: 'a', n: 1 });
      // reconnected once: the stalled heartbeat was forgotten with the old monitors
      await new Promise((r) => setTimeout(r, 600));
      expect(messages(log.warn).filter((m) => m.startsWith('MongoDB client stalled'))).toHaveLength(1);
    } finally {
      stop();
      await client.close();
    }
  });

  it("stops when the owner closes the client: a closed client is not reconnected", async () => {
    const client = await new MongoClient(servers.mongoUri(), { serverSelectionTimeoutMS: 10_000 }).connect();
    const log = fakeLog();
    reviveStalledMonitor(client, log as unknown as Logger, { stallMs: 200, checkEveryMs: 50 });
    await client.close();
    client.emit('serverHeartbeatStarted', { connectionId: 'wedged.example:27017', awaited: false } as never);
    await new Promise((r) => setTimeout(r, 600));
    expect(log.warn).not.toHaveBeenCalled();
    expect(topologyOf(client)).toBeUndefined();
  });
});
