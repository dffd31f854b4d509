/**
 * What the end-to-end stages share (bench/e2e.ts, bench/refresh.ts): one simulator with the `new_widget` table, a
 * connection registered through the CLI, its pipeline started (harness/pipeline.ts), and timed runs requested with
 * `dynsync resync` / `sync`, awaited until loaded (and, for full runs, reconciled) and verified against the simulator.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Db, MongoClient } from 'mongodb';
import { request, type Agent } from 'undici';
import { dynsync } from '../harness/cli-process.ts';
import { truthVersions, verifyTable, type TableVerdict } from '../harness/ground-truth.ts';
import { startPipeline, type PipelineShape } from '../harness/pipeline.ts';
import { watchRun } from '../harness/run-watch.ts';
import { eventually } from '../harness/service-process.ts';
import type { SimulatorHandle } from '../services/simulator/simulator.ts';
import { RUN_LOADS_COLLECTION, addLoads, noLoads, type LoadCounts, type RunLoadDoc } from '../services/contracts/run-loads.ts';

export const TABLE = 'new_widget';
export const PRIMARY_ID = 'new_widgetid';

/** One timed run. */
export interface RunTiming {
  readonly runId: string;
  readonly seconds: number;
  /** From the run's start (coordinator) until extraction completed, and until it was loaded. */
  readonly extractedSeconds: number | null;
  readonly loadedSeconds: number;
  /** A full run's delete reconciliation, from loaded to reconciled. */
  readonly reconcileSeconds: number | null;
  readonly records: number;
  /** What the loader did with the run's records (run_loads). */
  readonly loads: LoadCounts;
  readonly tombstones: number;
  readonly rowsPerSec: number;
  readonly verdict: TableVerdict;
}

/** When a run finished extracting, loading and (full runs) reconciling, from its start. */
export type RunPhases = Pick<RunTiming, 'extractedSeconds' | 'loadedSeconds' | 'reconcileSeconds'>;
export const phasesOf = ({ extractedSeconds, loadedSeconds, reconcileSeconds }: RunTiming): RunPhases => ({ extractedSeconds, loadedSeconds, reconcileSeconds });

/** A child's peak resident memory (VmHWM) in MB, 0 once it has exited. */
export function peakRssMb(pid: number | undefined): number {
  try {
    return Math.round(Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);
  } catch {
    return 0;
  }
}

/** A call of the simulator's control API. */
export async function control(agent: Agent, url: string, method: 'POST' | 'PATCH' | 'DELETE', body?: unknown): Promise<void> {
  const res = await request(url, { method, dispatcher: agent, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.body.text();
  if (res.statusCode >= 400) throw new Error(`simulator control ${method} ${url}: ${res.statusCode} ${text}`);
}

/** What the timed runs of a benchmark share. */
export interface Session {
  sim: SimulatorHandle;
  agent: Agent;
  mongo: MongoClient;
  baseEnv: Record<string, string>;
  say: (line: string) => void;
  runTimeoutMs: number;
}

/** Connects a fresh connection, starts its pipeline and times a full run; the pipeline is returned running. */
export async function fullRun(s: Session, shape: PipelineShape) {
  const connection = `bench${randomBytes(3).toString('hex')}`;
  await dynsync(['connect', '--name', connection, '--org', s.sim.orgUrl, '--tenant', s.sim.tenantId, '--client-id', s.sim.clientId,
    '--client-secret', s.sim.clientSecret, '--flow', 'client-credentials', '--tables', TABLE], s.baseEnv);
  const pipeline = await startPipeline(connection, s.baseEnv, { ...shape, tasksFromEnd: true });
  const db = s.mongo.db(`dynsync_${connection}`);
  try {
    const timing = await timedRun(s, connection, db, 'full');
    return { connection, pipeline, db, timing };
  } catch (err) {
    // what the services said last, for the report
    for (const svc of pipeline.services) for (const line of svc.logs.slice(-8)) s.say(`  ${JSON.stringify(line).slice(0, 400)}`);
    await pipeline.stop();
    throw err;
  }
}

/** What the loader did with a run's records, over its tables. */
async function loadCounts(s: Session, runId: string): Promise<LoadCounts> {
  const loads = noLoads();
  for (const d of await s.mongo.db(s.baseEnv.DYNSYNC_STATE_DB!).collection<RunLoadDoc>(RUN_LOADS_COLLECTION).find({ runId }).toArray()) addLoads(loads, d);
  return loads;
}

/** Requests a run and times it until loaded (and reconciled); verifies MongoDB against the simulator. */
export async function timedRun(s: Session, connection: string, db: Db, kind: 'full' | 'incremental'): Promise<RunTiming> {
  const since = new Date(Date.now() - 1000);
  const t0 = performance.now();
  await dynsync([kind === 'full' ? 'resync' : 'sync', connection], s.baseEnv);
  const run = await watchRun(s.mongo.db(s.baseEnv.DYNSYNC_STATE_DB!), connection, kind, since, s.say, s.runTimeoutMs);
  const seconds = (performance.now() - t0) / 1000;
  // a reconciliation's tombstones are loaded a moment after the run is marked reconciled
  const loadsOf = () => loadCounts(s, run.runId);
  await eventually(async () => (await loadsOf()).deleted >= run.tombstones, 30_000, 250).catch(() => undefined);
  const verdict = await verifyTable(db, TABLE, await truthVersions(s.sim.controlUrl!, s.agent, TABLE, PRIMARY_ID));
  const extractedSeconds = run.extractedSeconds === null ? null : Number(run.extractedSeconds.toFixed(2));
  const reconcileSeconds = run.reconcileSeconds === null ? null : Number(run.reconcileSeconds.toFixed(2));
  const loads = await loadsOf();
  return { runId: run.runId, seconds: Number(seconds.toFixed(2)), extractedSeconds, loadedSeconds: Number(run.seconds.toFixed(2)), reconcileSeconds, records: run.records, loads, tombstones: run.tombstones + run.deletes,
    rowsPerSec: Math.round(run.records / seconds), verdict };
}

