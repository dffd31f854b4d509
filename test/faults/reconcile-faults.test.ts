/**
 * Cases 13-14: the delete reconciliation of a full run interrupted. Rows are deleted at the source of a table without
 * change tracking (only a full run's id-set reconciliation finds them), then:
 *  - 13: every Dataverse request of the reconciliation fails (503 storm): the run says `reconcile: incomplete` with
 *    the reason and tombstones nothing; the next full run, without the storm, tombstones exactly the deleted rows;
 *  - 14: the coordinator is killed (-9) while it reconciles: after its restart the reconciliation runs again and
 *    tombstones exactly the deleted rows.
 * Each ends with MongoDB equal to the source.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultPipeline, sleep } from './support/fault-pipeline.ts';
import { expectConsistent } from './support/expect-consistent.ts';
import { poll, type RunDoc } from './support/run-docs.ts';
import { truthVersions } from '../../harness/ground-truth.ts';

const UNTRACKED = 'new_importlog';
const TABLES = ['account', UNTRACKED];

describe('delete reconciliation interrupted', () => {
  let p: FaultPipeline;
  let conn: string;

  beforeAll(async () => {
    // few client retries, so a failing listing gives up within seconds
    p = await FaultPipeline.start({ tag: 'rec', tables: TABLES, rows: 1500, env: { DATAVERSE_RETRIES: '1' } });
    conn = await p.connectWithBaseline();
  });
  afterAll(async () => {
    await p?.close();
  });

  /** Deletes `n` rows of the untracked table at the source; returns their ids. */
  async function deleteAtSource(n: number, first: number): Promise<string[]> {
    const ids = [...(await truthVersions(p.sim.controlUrl!, p.agent, UNTRACKED, `${UNTRACKED}id`)).keys()].slice(first, first + n);
    for (const id of ids) await p.ctl(`/tables/${UNTRACKED}/rows/${id}`, 'DELETE');
    p.say(`deleted ${ids.length} rows of ${UNTRACKED} at the source`);
    return ids;
  }

  /** Documents of the untracked table that are soft-deleted. */
  const tombstoned = async () => (await p.data(conn).collection(UNTRACKED).find({ '_sync.deleted': true }, { projection: { _id: 1 } }).toArray()).map((d) => String(d._id)).sort();

  /** The soft-deleted ids once they are `expected` (tombstones are loaded just after the run is reconciled), or after 30 s. */
  const tombstonedSoon = async (expected: string[]) =>
    (await poll(async () => {
      const now = await tombstoned();
      return JSON.stringify(now) === JSON.stringify(expected) ? now : undefined;
    }, Date.now() + 30_000, 250)) ?? tombstoned();

  /** Waits until `run` is extracted, runs `fault`, returns once the run document says the reconciliation is no longer pending. */
  async function whenExtracted(started: Promise<RunDoc>, fault: () => Promise<void>): Promise<void> {
    const { _id } = await started;
    await poll(async () => ((await p.state.collection<RunDoc>('runs').findOne({ _id }))?.status !== 'running' ? true : undefined), Date.now() + 120_000, 100);
    await fault();
  }

  it('case 13: a 503 storm during the reconciliation tombstones nothing, says why, and the next full run completes it', async () => {
    const gone = await deleteAtSource(5, 100);
    const before = await tombstoned();
    const stormy = await p.run(conn, 'full', (started) =>
      whenExtracted(started, async () => {
        await p.ctl('/faults', 'POST', { errorRatio: 1, errorStatus: 503 });
        p.say('503 storm on every Dataverse request');
      }),
    );
    const served = await p.ctl<{ served?: Record<string, number> }>('/faults').catch(() => ({}));
    await p.ctl('/faults', 'DELETE');
    p.say(`storm over: ${JSON.stringify(served).slice(0, 200)}`);
    const doc = await p.state.collection('runs').findOne({ _id: stormy._id as never });
    expect(doc?.reconcile, p.lines.join('\n')).toBe('incomplete');
    expect(Object.keys(doc?.reconcileIncomplete ?? {})).toContain(UNTRACKED);
    await sleep(2000); // nothing is in flight: a tombstone would have landed by now
    expect(await tombstoned()).toEqual(before);

    const next = await p.run(conn, 'full');
    expect(next.reconcile).toBe('done');
    expect(await tombstonedSoon([...before, ...gone].sort())).toEqual([...before, ...gone].sort());
    await expectConsistent(p, conn, next);
  });

  it('case 14: the coordinator killed while it reconciles: the restarted one reconciles again, exactly', async () => {
    const gone = await deleteAtSource(5, 200);
    const before = await tombstoned();
    let killedWhile = '';
    // slow Dataverse answers make the reconciliation last long enough to be killed in the middle of it
    const run = await p.run(conn, 'full', (started) =>
      whenExtracted(started, async () => {
        await p.ctl('/faults', 'POST', { latencyMs: 400 });
        await poll(async () => {
          const r = await p.state.collection<RunDoc>('runs').findOne({ _id: (await started)._id });
          return r?.status === 'loaded' && r.reconcile === 'pending' ? true : undefined;
        }, Date.now() + 120_000, 50);
        await sleep(300);
        await p.services.coordinator.kill9();
        const id = (await started)._id;
        killedWhile = (await p.state.collection<RunDoc>('runs').findOne({ _id: id }))?.reconcile ?? 'gone';
        p.say(`kill -9 of the coordinator while the run's reconcile is ${killedWhile}`);
        await p.ctl('/faults', 'DELETE');
        await sleep(2000);
        await p.services.coordinator.start();
        p.say('coordinator restarted');
      }),
    );
    expect(killedWhile, 'the kill landed while the reconciliation was in progress').toBe('pending');
    expect(run.reconcile).toBe('done');
    expect(await tombstonedSoon([...before, ...gone].sort())).toEqual([...before, ...gone].sort());
    await expectConsistent(p, conn, run);
  });

  it('service logs hold no secret and the simulator counted no write', async () => {
    const { findings, nonGet } = await p.finalChecks();
    expect(findings).toEqual([]);
    expect(nonGet).toBe(0);
  });
});
