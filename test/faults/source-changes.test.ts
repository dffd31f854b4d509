/**
 * Cases 8 and 9: the source changes under the pipeline. Records modified while a full run reads the table are
 * captured by the next run (and are not tombstoned by the full run's reconciliation); a record backdated inside the
 * incremental overlap is captured by the next incremental, one backdated below it by the next full run
 * (services/coordinator/README.md: incremental = [watermark - COORDINATOR_OVERLAP_MS, T0), full = everything).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matches } from '../../harness/ground-truth.ts';
import { FaultPipeline, sleep, type RunDoc } from './support/fault-pipeline.ts';
import { sourceRows, storedVersions } from './support/source-truth.ts';

// small tables: a second full run replaces every stored document, which FerretDB does one statement at a time
const TABLES = ['account', 'contact'];
/** The coordinator's default overlap (COORDINATOR_OVERLAP_MS), which this file relies on. */
const OVERLAP_MS = 300_000;

describe('source changes during and between runs', () => {
  let p: FaultPipeline;
  let conn: string;

  beforeAll(async () => {
    p = await FaultPipeline.start({ tag: 'src', tables: TABLES, rows: 300, env: { COORDINATOR_OVERLAP_MS: String(OVERLAP_MS) } });
    conn = await p.connectWithBaseline();
  });
  afterAll(async () => {
    await p?.close();
  });

  const expectEqual = async (run: RunDoc) => {
    expect(run.status, p.lines.join('\n')).toBe('loaded');
    expect((await p.verify(conn)).filter((v) => !matches(v)), p.lines.join('\n')).toEqual([]);
  };

  it('case 8: records modified during a full run are captured by the next run and never tombstoned', async () => {
    const changed = new Map<string, string[]>();
    let reconcileAfterChanges: string | undefined;
    // slow Dataverse answers (small tables are read in one request each) keep the run going while the rows change
    await p.ctl('/faults', 'POST', { latencyMs: 1000 });
    const run = await p.run(conn, 'full', async (started) => {
      const { _id } = await started;
      await sleep(300);
      // rows spread over the table (old, middle, recent windows), plus new ones
      for (const t of TABLES) changed.set(t, [...(await p.change(t, 5, 10, 2)), ...(await p.change(t, 5, 150)), ...(await p.change(t, 5, 290))]);
      reconcileAfterChanges = (await p.state.collection<RunDoc>('runs').findOne({ _id }))?.reconcile;
      await p.ctl('/faults', 'DELETE');
      p.say(`changed ${[...changed.values()].flat().length} rows during the run (its reconciliation then ${reconcileAfterChanges ?? 'not started'})`);
    }, 60_000);
    // the changes landed before the run's delete reconciliation, which must not take them for deletes
    expect(reconcileAfterChanges ?? 'pending', p.lines.join('\n')).toBe('pending');
    expect(run.status, p.lines.join('\n')).toBe('loaded');
    // the run's watermark (T0) is below every change, so nothing it promises is missing
    expect((await p.watermarks(conn)).flatMap((c) => c.violations)).toEqual([]);
    // the reconciliation asked Dataverse before tombstoning: the moved rows still exist, so none is deleted
    for (const [t, ids] of changed) {
      const deleted = await p.data(conn).collection(t).countDocuments({ _id: { $in: ids } as never, '_sync.deleted': true });
      expect(deleted, `${t}: rows changed during the full run were tombstoned`).toBe(0);
    }
    await p.shiftClock(90); // past the 60 s safety lag
    const next = await p.run(conn, 'incremental');
    await expectEqual(next);
    expect((await p.watermarks(conn)).flatMap((c) => c.violations)).toEqual([]);
  });

  it('case 9: a row backdated inside the overlap is captured by the next incremental, one below it by the next full run', async () => {
    const table = 'account';
    const w = (await p.watermarks(conn)).find((c) => c.table === table)!.watermark!.getTime();
    const [inside, outside] = [...(await sourceRows(p.sim.controlUrl!, p.agent, table)).keys()].slice(40, 42) as [string, string];
    for (const [id, at] of [[inside, w - 60_000], [outside, w - OVERLAP_MS - 3_600_000]] as const) {
      await p.ctl(`/tables/${table}/rows/${id}`, 'PATCH', { values: { name: `backdated ${id.slice(0, 8)}` } });
      await p.ctl(`/tables/${table}/rows/${id}/backdate`, 'POST', { modifiedon: new Date(at).toISOString() });
    }
    p.say(`backdated ${inside} to W-60s (inside the overlap) and ${outside} to W-overlap-1h (outside)`);
    await p.shiftClock(90);
    const incremental = await p.run(conn, 'incremental');
    expect(incremental.status, p.lines.join('\n')).toBe('loaded');
    const truth = await sourceRows(p.sim.controlUrl!, p.agent, table);
    const stored = await storedVersions(p.data(conn), table);
    expect(stored.get(inside), 'the row backdated inside the overlap').toBe(truth.get(inside)!.version);
    p.say(`after the incremental, the row backdated below the overlap is ${stored.get(outside) === truth.get(outside)!.version ? 'current' : 'stale'} (the design leaves it to the full run)`);
    // the watermark check holds but for the row backdated below the overlap after its watermark was committed
    expect((await p.watermarks(conn, new Set([outside]))).flatMap((c) => c.violations)).toEqual([]);
    const full = await p.run(conn, 'full');
    await expectEqual(full);
    expect((await p.watermarks(conn)).flatMap((c) => c.violations)).toEqual([]);
  });

  it('service logs hold no secret and the simulator counted no write', async () => {
    const { findings, nonGet } = await p.finalChecks();
    expect(findings).toEqual([]);
    expect(nonGet).toBe(0);
  });
});
