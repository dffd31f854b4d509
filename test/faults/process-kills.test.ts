/**
 * Case 1: kill -9 of the extractor, the loader and the coordinator at seeded random points of a run, each
 * restarted after a few seconds; the run still completes, MongoDB equals the source, no watermark is ahead of
 * durable data (Invariant 5: a kill only causes replay).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FaultPipeline, sleep, type RunDoc, type ServiceName } from './support/fault-pipeline.ts';
import { between, seededRandom } from './support/seeded-random.ts';
import { expectConsistent } from './support/expect-consistent.ts';

const TABLES = ['account', 'contact', 'opportunity'];

describe('kill -9 of every service mid-run', () => {
  let p: FaultPipeline;
  let conn: string;
  const seed = inject('faultSeed');
  const rnd = seededRandom(seed);

  beforeAll(async () => {
    p = await FaultPipeline.start({ tag: 'kill', tables: TABLES, rows: 1500 });
    conn = await p.connect();
  });
  afterAll(async () => {
    await p?.close();
  });

  /** Kills each service once at a random point in [0.3 s, maxAt) after the run started, restarted 2-5 s later. */
  const killPlan = (maxAtMs: number) => {
    const order: ServiceName[] = ['extractor', 'loader', 'coordinator'];
    return order.map((name) => ({ name, atMs: Math.round(between(rnd, 300, maxAtMs)), pauseMs: Math.round(between(rnd, 2000, 5000)) }));
  };
  /** The kills of `plan` during the run; `landed` gets the run's status at each kill. */
  const withKills = (plan: ReturnType<typeof killPlan>, landed: string[]) => async (started: Promise<RunDoc>) => {
    const { _id } = await started;
    p.say(`kill plan (seed ${seed}): ${plan.map((k) => `${k.name} at +${k.atMs} ms, down ${k.pauseMs} ms`).join('; ')}`);
    await Promise.all(plan.map(async (k) => {
      await sleep(k.atMs);
      const run = await p.state.collection<RunDoc>('runs').findOne({ _id });
      landed.push(run?.status ?? 'unknown');
      p.say(`${k.name} killed while the run is ${run?.status}`);
      await p.killAndRestart(k.name, k.pauseMs);
    }));
  };
  /** Every kill landed while the run was extracting or loading (not after it was loaded). */
  const inProgress = (landed: string[]) => landed.filter((s) => s !== 'running' && s !== 'completed');

  /**
   * A run of `kind` with the kills of a plan up to `maxAtMs` (Dataverse's answers slowed by `latencyMs`, so the run is
   * still going at the last kill point): every kill lands while the run extracts or loads, and the run ends consistent.
   */
  async function survivesKills(kind: 'full' | 'incremental', maxAtMs: number, latencyMs: number): Promise<void> {
    await p.ctl('/faults', 'POST', { latencyMs });
    const landed: string[] = [];
    const run = await p.run(conn, kind, withKills(killPlan(maxAtMs), landed));
    await p.ctl('/faults', 'DELETE');
    expect(inProgress(landed), p.lines.join('\n')).toEqual([]);
    await expectConsistent(p, conn, run);
  }

  it(`a full run survives kill -9 of extractor, loader and coordinator (FAULT_SEED=${seed})`, () => survivesKills('full', 6000, 100));

  it('an incremental with changed rows survives the same kills at other random points', async () => {
    for (const t of TABLES) await p.change(t, 15, 100, 5);
    await p.shiftClock(90); // past the coordinator's 60 s safety lag
    await survivesKills('incremental', 3000, 150);
  });

  it('service logs hold no secret and the simulator counted no write', async () => {
    const { findings, nonGet } = await p.finalChecks();
    expect(findings).toEqual([]);
    expect(nonGet).toBe(0);
  });
});
