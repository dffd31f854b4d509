import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { status, up } from '../../infra/local/stack.ts';
import { runningPid } from '../../infra/local/process.ts';
import { ferretdb } from '../../infra/local/servers/ferretdb.ts';
import { postgres } from '../../infra/local/servers/postgres.ts';
import type { LocalServer } from '../../infra/local/servers/server.ts';
import { testMongo, uniqueName } from '../support/servers.ts';

// Only meaningful when the tests run on the servers of `npm run infra:up` (not env-given or testcontainers).
describe.runIf(inject('serversFrom') === 'local')('infra:up', () => {
  const quiet = () => {};
  const reused = { kafka: 'reused', apicurio: 'reused', postgres: 'reused', ferretdb: 'reused' };

  async function kill9(s: LocalServer): Promise<number> {
    const pid = Number(readFileSync(join(s.dir, 'server.pid'), 'utf8'));
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 50 && runningPid(s.dir, s.launch().marker) !== undefined; i++) await new Promise((r) => setTimeout(r, 100));
    return pid;
  }

  it('is a no-op when everything runs', async () => {
    const { outcomes } = await up(quiet);
    expect(outcomes).toEqual(reused);
  });

  it('restarts a server killed with -9 and reuses the others', async () => {
    const pid = await kill9(ferretdb);
    const { outcomes } = await up(quiet);
    expect(outcomes).toEqual({ ...reused, ferretdb: 'started' });
    const ferret = (await status()).find((s) => s.name === 'ferretdb')!;
    expect(ferret.healthy).toBe(true);
    expect(ferret.pid).not.toBe(pid);
  });

  it('restarts PostgreSQL killed with -9 on its data: a write acknowledged just before is there', async () => {
    const client = await testMongo();
    const db = client.db(uniqueName('it-stack'));
    const docs = db.collection<{ _id: string; n: number }>('docs');
    try {
      await docs.insertOne({ _id: 'acknowledged', n: 1 });
      const pid = await kill9(postgres);
      const { outcomes } = await up(quiet);
      expect(outcomes).toEqual({ ...reused, postgres: 'started' });
      const pg = (await status()).find((s) => s.name === 'postgres')!;
      expect(pg.pid).not.toBe(pid);
      expect(await docs.findOne({ _id: 'acknowledged' })).toEqual({ _id: 'acknowledged', n: 1 });
    } finally {
      await db.dropDatabase().catch(() => undefined);
      await client.close();
    }
  });
});
