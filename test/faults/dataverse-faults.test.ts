/**
 * Cases 5 and 7: Dataverse misbehaves. A 429 storm (half the data requests throttled), 5xx answers and truncated
 * bodies (the simulator's fault controls), and the server clock skewed by +10 and -10 minutes against ours (T0 and
 * every window come from Dataverse time, so a skewed clock changes nothing). Each run completes, MongoDB equals the
 * source and no watermark is ahead of durable data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultPipeline } from './support/fault-pipeline.ts';
import { expectConsistent } from './support/expect-consistent.ts';

const TABLES = ['account', 'contact', 'opportunity'];

interface Stats {
  requests: { throttled: number; injectedFaults: number; byStatus: Record<string, number> };
}

describe('Dataverse faults', () => {
  let p: FaultPipeline;

  beforeAll(async () => {
    p = await FaultPipeline.start({ tag: 'dv', tables: TABLES, rows: 1500 });
  });
  afterAll(async () => {
    await p?.ctl('/faults', 'DELETE').catch(() => undefined);
    await p?.close();
  });

  const stats = () => p.ctl<Stats>('/stats');

  it.each([
    // first, and behind before ahead: the source clock only moves forward afterwards, so no earlier change lies in
    // the future of a later run (which would be right to leave it out)
    ['-10 minutes', -600],
    ['+10 minutes', 600],
  ])('case 7: the Dataverse clock is %s off ours: a full run, changes and an incremental', async (_label, skew) => {
    const now = Date.now();
    await p.ctl('/clock', 'POST', { set: new Date(now + skew * 1000).toISOString() });
    const conn = await p.connect();
    let run = await p.run(conn, 'full');
    await expectConsistent(p, conn, run);
    // T0 comes from the Dataverse clock: the watermark is ~skew away from our clock
    const marks = await p.watermarks(conn);
    for (const m of marks) expect(Math.abs(m.watermark!.getTime() - (now + skew * 1000))).toBeLessThan(5 * 60_000);
    for (const t of TABLES) await p.change(t, 10, 400, 2);
    await p.shiftClock(90);
    run = await p.run(conn, 'incremental');
    await expectConsistent(p, conn, run);
  });

  it('case 5a: a 429 storm (70 % of the requests throttled, Retry-After 1 s) during a full run', async () => {
    const conn = await p.connect();
    const before = (await stats()).requests.throttled;
    // a small organisation's full run is about a dozen requests: 70 % throttled (every retry too) is a storm in it
    await p.ctl('/faults', 'POST', { throttleRatio: 0.7, throttleRetryAfterSeconds: 1 });
    const run = await p.run(conn, 'full').finally(() => p.ctl('/faults', 'DELETE'));
    const throttled = (await stats()).requests.throttled - before;
    p.say(`429 answers during the run: ${throttled}`);
    expect(throttled).toBeGreaterThan(5);
    await expectConsistent(p, conn, run);
  });

  it('case 5b: 503 answers and bodies cut off mid-way (reset and short) during a full run and an incremental', async () => {
    const conn = await p.connect();
    const before = (await stats()).requests.injectedFaults;
    await p.ctl('/faults', 'POST', { errorRatio: 0.2, errorStatus: 503, truncateRatio: 0.05, truncateMode: 'reset' });
    let run = await p.run(conn, 'full');
    await expectConsistent(p, conn, run);
    for (const t of TABLES) await p.change(t, 10, 300, 2);
    await p.shiftClock(90);
    await p.ctl('/faults', 'POST', { errorRatio: 0.2, errorStatus: 500, truncateRatio: 0.05, truncateMode: 'short' });
    run = await p.run(conn, 'incremental').finally(() => p.ctl('/faults', 'DELETE'));
    const injected = (await stats()).requests.injectedFaults - before;
    p.say(`injected faults during the runs: ${injected}`);
    expect(injected).toBeGreaterThan(5);
    await expectConsistent(p, conn, run);
  });

  it('service logs hold no secret and the simulator counted no write', async () => {
    const { findings, nonGet } = await p.finalChecks();
    expect(findings).toEqual([]);
    expect(nonGet).toBe(0);
  });
});
