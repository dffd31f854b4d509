/**
 * Cases 10 and 11: the source's volume and shape change between runs. 10,000 rows created in one second (an import)
 * are extracted whole by the next incremental (a one-second window cannot be split by time: it is paged through)
 * and loaded. A column added and one removed between runs: the next incremental carries the new column's values and
 * a new schema version without the removed one, the next full run rewrites every document without it, and MongoDB
 * equals the source after each run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectConsistent } from './support/expect-consistent.ts';
import { FaultPipeline } from './support/fault-pipeline.ts';
import { sourceRows } from './support/source-truth.ts';

const TABLE = 'account';
const BURST = 10_000;
const ADDED = 'new_faultscore';
const REMOVED = 'websiteurl';

describe('source volume and shape changes between runs', () => {
  let p: FaultPipeline;
  let conn: string;

  beforeAll(async () => {
    p = await FaultPipeline.start({ tag: 'shape', tables: [TABLE], rows: 300 });
    conn = await p.connectWithBaseline();
  });
  afterAll(async () => {
    await p?.close();
  });

  it('case 10: 10,000 rows sharing one modifiedon second, created between runs, are all loaded by the next incremental', async () => {
    const { nowMs } = await p.ctl<{ nowMs: number }>('/clock');
    const at = new Date(Math.floor((nowMs - 30_000) / 1000) * 1000);
    await p.ctl(`/tables/${TABLE}/bulk`, 'POST', { count: BURST, modifiedon: at.toISOString() });
    p.say(`created ${BURST} rows of ${TABLE} with modifiedon ${at.toISOString()}`);
    await p.shiftClock(90); // past the 60 s safety lag
    const run = await p.run(conn, 'incremental', undefined, 300_000);
    await expectConsistent(p, conn, run);
    const burst = await p.data(conn).collection(TABLE).countDocuments({ '_sync.modifiedon': at });
    expect(burst, 'documents with the burst second as modifiedon').toBe(BURST);
  });

  it('case 11: a column added and one removed between runs: the next runs follow the new shape', async () => {
    await p.ctl(`/tables/${TABLE}/columns`, 'POST', { logicalName: ADDED, kind: 'Decimal', precision: 4 });
    await p.ctl(`/tables/${TABLE}/columns/${REMOVED}`, 'DELETE');
    const ids = [...(await sourceRows(p.sim.controlUrl!, p.agent, TABLE)).keys()].slice(0, 5);
    for (const [i, id] of ids.entries()) await p.ctl(`/tables/${TABLE}/rows/${id}`, 'PATCH', { values: { [ADDED]: 1000 + i + 0.1234 } });
    p.say(`added ${ADDED}, removed ${REMOVED}, set ${ADDED} on ${ids.length} rows`);
    await p.shiftClock(90);
    const incremental = await p.run(conn, 'incremental');
    await expectConsistent(p, conn, incremental);
    const coll = p.data(conn).collection<Record<string, unknown>>(TABLE);
    for (const [i, id] of ids.entries()) {
      const doc = await coll.findOne({ _id: id } as never);
      expect(Number(String(doc?.[ADDED])), `${id}: the added column's value`).toBeCloseTo(1000 + i + 0.1234, 4);
      expect(doc, `${id}: re-extracted without the removed column`).not.toHaveProperty(REMOVED);
    }
    const full = await p.run(conn, 'full', undefined, 300_000);
    await expectConsistent(p, conn, full);
    expect(await coll.countDocuments({ [REMOVED]: { $exists: true } }), `documents still holding ${REMOVED} after the full run`).toBe(0);
    expect(await coll.countDocuments({ [ADDED]: { $exists: true } }), `documents with the field ${ADDED} after the full run`).toBe(await coll.countDocuments({}));
  });

  it('service logs hold no secret and the simulator counted no write', async () => {
    const { findings, nonGet } = await p.finalChecks();
    expect(findings).toEqual([]);
    expect(nonGet).toBe(0);
  });
});
