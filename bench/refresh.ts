/**
 * The `refresh` stage of the end-to-end benchmark, on the table the e2e full sync just loaded: (a) a full refresh
 * with no change at the source, (b) one after 1 % of the rows were updated and 0.1 % deleted. For each: documents
 * written, unchanged and tombstoned (the loader's run_loads and the run's tombstones), extracted / loaded seconds,
 * the delete reconciliation's seconds, and whether MongoDB then equals the simulator. The services' peak RSS is
 * the e2e stage's (VmHWM over the pipeline's whole life).
 */
import type { Db } from 'mongodb';
import { matches, truthVersions } from '../harness/ground-truth.ts';
import { control, phasesOf, timedRun, PRIMARY_ID, TABLE, type RunPhases, type Session } from './e2e-session.ts';

/** One measured refresh. */
export type RefreshRun = RunPhases & {
  readonly seconds: number;
  readonly written: number;
  readonly unchanged: number;
  readonly tombstoned: number;
  readonly ok: boolean;
};

/** The stage's result. */
export interface RefreshBench {
  readonly noChange: RefreshRun;
  readonly changed: RefreshRun & { readonly updated: number; readonly deleted: number };
}

async function measured(s: Session, connection: string, db: Db): Promise<RefreshRun> {
  const t = await timedRun(s, connection, db, 'full');
  return { ...phasesOf(t), seconds: t.seconds, written: t.loads.written, unchanged: t.loads.unchanged, tombstoned: t.tombstones, ok: matches(t.verdict) };
}

/** Runs both refreshes on `connection`, whose pipeline runs and whose table holds `rows` rows. */
export async function benchRefresh(s: Session, connection: string, db: Db, rows: number): Promise<RefreshBench> {
  s.say(`full refresh of ${rows} unchanged rows`);
  const noChange = await measured(s, connection, db);
  const ids = [...(await truthVersions(s.sim.controlUrl!, s.agent, TABLE, PRIMARY_ID)).keys()];
  const updated = Math.max(1, Math.round(rows / 100));
  const deleted = Math.max(1, Math.round(rows / 1000));
  s.say(`full refresh after updating ${updated} rows and deleting ${deleted}`);
  for (let i = 0; i < updated; i++) {
    const id = ids[Math.floor((i * ids.length) / updated)]!;
    await control(s.agent, `${s.sim.controlUrl}/tables/${TABLE}/rows/${id}`, 'PATCH', { values: { new_name: `bench refresh ${i}` } });
  }
  for (let i = 0; i < deleted; i++) await control(s.agent, `${s.sim.controlUrl}/tables/${TABLE}/rows/${ids[Math.floor((i * ids.length) / deleted) + 1]!}`, 'DELETE');
  await control(s.agent, `${s.sim.controlUrl}/clock`, 'POST', { shiftSeconds: 120 }); // past the coordinator's safety lag
  const changed = await measured(s, connection, db);
  return { noChange, changed: { ...changed, updated, deleted } };
}
