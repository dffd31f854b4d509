/**
 * Cases 2-4: a server of the suite's own stack goes away mid-run and comes back: the Kafka broker restarts, the
 * schema registry is down for ~20 s (with a loader restarted in the middle of it, so a process without cached
 * schemas must wait for the registry rather than dead-letter records), the store (FerretDB) is down for 30 s.
 * Each run still completes, MongoDB equals the source and no watermark is ahead of durable data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matches } from '../../infra/demo/ground-truth.ts';
import { FaultPipeline, sleep, type RunDoc } from './support/fault-pipeline.ts';

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

  const expectConsistent = async (connection: string, run: RunDoc) => {
    expect(run.status, p.lines.join('\n')).toBe('loaded');
    expect((await p.verify(connection)).filter((v) => !matches(v)), p.lines.join('\n')).toEqual([]);
    expect((await p.watermarks(connection)).flatMap((c) => c.violations)).toEqual([]);
    expect(p.crashes(), p.lines.join('\n')).toEqual([]);
  };

  it('case 2: the Kafka broker restarts mid-run', async () => {
    const run = await p.run(conn, 'full', async (started) => {
      await started;
      await sleep(1500);
      await p.serverOutage('kafka', 3000);
    });
    await expectConsistent(conn, run);
  });

  it('case 3: the schema registry is down for ~20 s mid-run (a new connection: its subjects are new)', async () => {
    const fresh = await p.connect();
    const run = await p.run(fresh, 'full', async (started) => {
      await started;
      await sleep(500);
      await Promise.all([
        p.serverOutage('apicurio', 20_000),
        sleep(5000).then(() => p.killAndRestart('loader', 1000)), // a loader without cached schemas during the outage
      ]);
    });
    await expectConsistent(fresh, run);
  });

  it('case 4: the store (FerretDB) is down for 30 s mid-run (a new connection: the loader inserts)', async () => {
    const fresh = await p.connect();
    const run = await p.run(fresh, 'full', async (started) => {
      await started;
      await sleep(1500);
      await p.serverOutage('ferretdb', 30_000);
    });
    await expectConsistent(fresh, run);
  });

  it('service logs hold no secret and the simulator counted no write', async () => {
    const { findings, nonGet } = await p.finalChecks();
    expect(findings).toEqual([]);
    expect(nonGet).toBe(0);
  });
});
