/**
 * Cases 2-4: a server of the suite's own stack goes away mid-run and comes back: the Kafka broker restarts, the
 * schema registry is down for ~20 s (with a loader restarted in the middle of it, so a process without cached
 * schemas must wait for the registry rather than dead-letter records), the store is down for 30 s: FerretDB itself
 * (connections refused), then PostgreSQL behind it (FerretDB answers every command with an error).
 * Each run still completes, MongoDB equals the source and no watermark is ahead of durable data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultPipeline, sleep } from './support/fault-pipeline.ts';
import { expectConsistent } from './support/expect-consistent.ts';

const TABLES = ['account', 'contact', 'opportunity'];

describe('server outages mid-run', () => {
  let p: FaultPipeline;
  let conn: string;

  beforeAll(async () => {
    p = await FaultPipeline.start({ tag: 'srv', tables: TABLES, rows: 1500 });
    conn = await p.connect();
  });
  afterAll(async () => {
    await p?.close();
  });

  /** The run statuses at which the faults of a case began: each must be before the run was loaded. */
  const landedDuring = (statuses: string[]) => expect(statuses.filter((s) => s !== 'running' && s !== 'completed'), p.lines.join('\n')).toEqual([]);

  it('case 2: the Kafka broker restarts mid-run', async () => {
    const landed: string[] = [];
    const run = await p.run(conn, 'full', async (started) => void landed.push(await p.faultAfter(started, 1500, () => p.serverOutage('kafka', 3000))));
    landedDuring(landed);
    await expectConsistent(p, conn, run);
  });

  it('case 3: the schema registry is down for ~20 s mid-run (a new connection: its subjects are new)', async () => {
    const fresh = await p.connect();
    const landed: string[] = [];
    const run = await p.run(fresh, 'full', async (started) => {
      landed.push(await p.faultAfter(started, 500, () => Promise.all([
        p.serverOutage('apicurio', 20_000),
        sleep(5000).then(() => p.killAndRestart('loader', 1000)), // a loader without cached schemas during the outage
      ]).then(() => undefined)));
    });
    landedDuring(landed);
    await expectConsistent(p, fresh, run);
  });

  it('case 4: the store (FerretDB) is down for 30 s mid-run (a new connection: the loader inserts)', async () => {
    const fresh = await p.connect();
    const landed: string[] = [];
    const run = await p.run(fresh, 'full', async (started) => void landed.push(await p.faultAfter(started, 1500, () => p.serverOutage('ferretdb', 30_000))));
    landedDuring(landed);
    await expectConsistent(p, fresh, run);
  });

  it("case 4b: the store's PostgreSQL is down for 30 s mid-run while FerretDB answers (a new connection)", async () => {
    const fresh = await p.connect();
    const landed: string[] = [];
    const run = await p.run(fresh, 'full', async (started) => void landed.push(await p.faultAfter(started, 1500, () => p.serverOutage('postgres', 30_000))));
    landedDuring(landed);
    await expectConsistent(p, fresh, run);
  });

  it('service logs hold no secret and the simulator counted no write', async () => {
    const { findings, nonGet } = await p.finalChecks();
    expect(findings).toEqual([]);
    expect(nonGet).toBe(0);
  });
});
