/**
 * One connection's whole pipeline on the real servers, for tests that drive runs the way an operator does: an
 * in-process simulator (control API on), the connection registered with `dynsync connect` (client credentials),
 * coordinator, extractor and loader as child processes (harness/pipeline.ts), runs requested with
 * `dynsync resync` / `sync` and awaited in the state DB until loaded and (full runs) reconciled.
 */
import { randomBytes } from 'node:crypto';
import type { Db, Document, MongoClient } from 'mongodb';
import { request, type Agent } from 'undici';
import { dynsync } from '../../harness/cli-process.ts';
import { matches, truthVersions, verifyTable, type TableVerdict } from '../../harness/ground-truth.ts';
import { startPipeline, type Pipeline } from '../../harness/pipeline.ts';
import { eventually } from '../../harness/service-process.ts';
import { watchRun, type RunSummary } from '../../harness/run-watch.ts';
import { createHttpAgent, readCaCertificate } from '../../services/dataverse/client/http-agent.ts';
import { RUN_LOADS_COLLECTION, addLoads, noLoads, type LoadCounts, type RunLoadDoc } from '../../services/contracts/run-loads.ts';
import { startSimulator, type SimulatorHandle, type SimulatorOptions } from '../../services/simulator/simulator.ts';
import { servers, testMongo } from './servers.ts';

/** Settings of a session. */
export interface SyncSessionOptions {
  tables: readonly string[];
  simulator: Partial<SimulatorOptions>;
  /** Extra service environment. */
  env?: Record<string, string>;
}

/** A running session (see the file comment). */
export interface SyncSession {
  readonly sim: SimulatorHandle;
  readonly mongo: MongoClient;
  readonly connection: string;
  readonly state: Db;
  readonly data: Db;
  readonly lines: string[];
  control<T = unknown>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T>;
  /** Every live row of `table` at the source, all columns, in Dataverse JSON shape. */
  truthRows(table: string): Promise<Record<string, unknown>[]>;
  /** Requests a run and waits until it is loaded and, for a full run, reconciled. */
  run(kind: 'full' | 'incremental'): Promise<RunSummary>;
  /** The loader's counts of a run per table (run_loads). */
  loads(runId: string): Promise<Record<string, LoadCounts>>;
  /** The run document as the coordinator stored it. */
  runDoc(runId: string): Promise<Document | null>;
  /** MongoDB against the simulator, per table. */
  verify(): Promise<TableVerdict[]>;
  close(): Promise<void>;
}

/** Starts a session; close it in afterAll. */
export async function startSyncSession(opts: SyncSessionOptions): Promise<SyncSession> {
  const sim = await startSimulator({ port: 0, control: true, logLevel: 'silent', ...opts.simulator });
  const agent: Agent = createHttpAgent({ connections: 4, caPem: readCaCertificate(sim.caCertPath) });
  const mongo = await testMongo();
  const connection = `rf${randomBytes(3).toString('hex')}`;
  const stateDbName = `state_${connection}`;
  const env: Record<string, string> = {
    KAFKA_BROKERS: servers.brokers().join(','),
    SCHEMA_REGISTRY_URL: servers.registryUrl(),
    MONGODB_URI: servers.mongoUri(),
    DYNSYNC_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    DYNSYNC_STATE_DB: stateDbName,
    DYNSYNC_SECRETS_DB: stateDbName,
    DYNSYNC_DEV_ORIGINS: sim.orgUrl,
    DYNSYNC_DEV_AUTHORITY: sim.orgUrl,
    DYNSYNC_DEV_CA_PATH: sim.caCertPath,
    LOG_LEVEL: 'info',
    ...opts.env,
  };
  let pipeline: Pipeline | undefined;
  const lines: string[] = [];
  const state = mongo.db(stateDbName);
  try {
    await dynsync(['connect', '--name', connection, '--org', sim.orgUrl, '--tenant', sim.tenantId, '--client-id', sim.clientId,
      '--client-secret', sim.clientSecret, '--flow', 'client-credentials', '--tables', opts.tables.join(',')], env);
    pipeline = await startPipeline(connection, env, { tasksFromEnd: true });
  } catch (err) {
    await Promise.allSettled([pipeline?.stop(), agent.close(), mongo.close(), sim.close()]);
    throw err;
  }
  const loads = async (runId: string): Promise<Record<string, LoadCounts>> => {
    const out: Record<string, LoadCounts> = {};
    for (const d of await state.collection<RunLoadDoc>(RUN_LOADS_COLLECTION).find({ runId }).toArray()) out[d.table] = addLoads(noLoads(), d);
    return out;
  };
  const control = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await request(`${sim.controlUrl}${path}`, { method: method as 'GET', dispatcher: agent, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
    const text = await res.body.text();
    if (res.statusCode >= 400) throw new Error(`simulator control ${method} ${path}: ${res.statusCode} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  return {
    sim,
    mongo,
    connection,
    state,
    data: mongo.db(`dynsync_${connection}`),
    lines,
    control,
    async truthRows(table) {
      const res = await request(`${sim.controlUrl}/tables/${table}/truth`, { dispatcher: agent });
      const text = await res.body.text();
      if (res.statusCode >= 400) throw new Error(`simulator truth of ${table}: ${res.statusCode} ${text}`);
      return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    async run(kind) {
      const since = new Date(Date.now() - 1000);
      const earlier = (await state.collection<Document>('runs').find({ connection }, { projection: { _id: 1 } }).toArray()).map((d) => String(d._id));
      await dynsync([kind === 'full' ? 'resync' : 'sync', connection], env);
      const run = await watchRun(state, connection, kind, since, (l) => lines.push(l), 300_000, earlier);
      // a reconciliation's tombstones are loaded after the run is marked reconciled: wait for the loader to count them
      await eventually(async () => Object.values(await loads(run.runId)).reduce((n, c) => n + c.deleted, 0) >= run.tombstones, 60_000, 250);
      return run;
    },
    loads,
    runDoc: (runId) => state.collection<Document>('runs').findOne({ _id: runId as never }),
    async verify() {
      const out: TableVerdict[] = [];
      for (const t of opts.tables) out.push(await verifyTable(mongo.db(`dynsync_${connection}`), t, await truthVersions(sim.controlUrl!, agent, t, `${t}id`)));
      return out;
    },
    async close() {
      await Promise.allSettled([pipeline?.stop()]);
      await Promise.allSettled([agent.close(), mongo.close(), sim.close()]);
    },
  };
}

export { matches };
