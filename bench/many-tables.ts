/**
 * The `manyTables` stage of `npm run bench`: an organisation of many small tables (the simulator's generated tables,
 * `--generated-tables`, default 500 of 0–2,000 rows, about 200,000 rows) at the simulator's default service
 * protection limits (6,000 requests per 5 minutes, 52 concurrent, `x-ms-dop-hint` 8), synced by the three services as
 * child processes through a connection registered with the CLI:
 *  - a full sync (`dynsync resync`): seconds until extracted and until loaded, Dataverse requests (the simulator's
 *    `/_control/stats` data requests by kind, and its 429s) until extracted and in all (the delete reconciliation
 *    after the load included), the extractor's CPU (user + system, `/proc/<pid>/stat`) per task and per row, tasks
 *    (the extractor's `dynsync_extractor_tasks_total` by outcome), MongoDB verified against the simulator;
 *  - an incremental with no change at the source (`dynsync sync`, the source clock moved past the safety lag): seconds
 *    from the command until loaded, Dataverse requests, tasks;
 *  - each service's peak resident memory (VmHWM);
 *  - the share of the machine's CPU time the host took during the full sync (`steal`: on a shared virtual machine the
 *    stage's seconds depend on it).
 * The run has a state DB of its own (dropped at the end) and the connection's table topics are deleted at the end (500
 * topics would otherwise stay on the shared broker).
 *
 *   npx node bench/many-tables.ts [--tables 500] [--max-rows 2000]
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { MongoClient, type Db } from 'mongodb';
import { request, type Agent } from 'undici';
import { dynsync } from '../harness/cli-process.ts';
import { matches, truthVersions, verifyTable } from '../harness/ground-truth.ts';
import { startPipeline, type Pipeline } from '../harness/pipeline.ts';
import { watchRun } from '../harness/run-watch.ts';
import { createHttpAgent, readCaCertificate } from '../services/dataverse/client/http-agent.ts';
import { createKafka } from '../services/shared/kafka.ts';
import { generatedTableName } from '../services/simulator/core/tables-generated.ts';
import { startSimulator, type SimulatorHandle } from '../services/simulator/simulator.ts';
import { control, peakRssMb } from './e2e-session.ts';
import { benchServers, serviceEnv, type BenchServers } from './servers.ts';

/** One measured run. */
export interface ManyTablesRun {
  /** From the command until every window was extracted (null: not reported), and until loaded. */
  readonly extractedSeconds: number | null;
  readonly loadedSeconds: number;
  readonly records: number;
  /** Data requests the simulator answered during the run (a 429 counts too; a full run's delete reconciliation included), and its 429s. */
  readonly requests: number;
  /** Of those, the requests answered until every window was extracted (planning, metadata, windows, delta tasks). */
  readonly requestsUntilExtracted: number | null;
  /** The requests by what they asked for (the simulator's `byKind`: metadata, count, rows, delta, whoami, function). */
  readonly requestsByKind: Record<string, number>;
  readonly throttled: number;
  /** Tasks the extractor ran for this connection (window and delta tasks, splits included), and by outcome. */
  readonly tasks: number;
  readonly tasksByOutcome: Record<string, number>;
}

/** The stage's result. */
export interface ManyTablesBench {
  readonly tables: number;
  readonly rows: number;
  readonly full: ManyTablesRun & {
    readonly cpuMillisPerTask: number;
    readonly cpuMicrosPerRow: number;
    readonly cpuSeconds: number;
    readonly ok: boolean;
    /** Share of the machine's CPU time the virtual machine's host took during the full sync (`steal`, /proc/stat), %. */
    readonly stealPercent: number;
  };
  /** CPU seconds of each service over both runs (user + system). */
  readonly cpuSeconds: Record<string, number>;
  readonly incremental: ManyTablesRun;
  readonly peakRssMb: Record<string, number>;
}

interface SimStats {
  dataRequests: number;
  byKind: Record<string, number>;
  throttled: number;
  rows: Record<string, number>;
}

async function stats(agent: Agent, sim: SimulatorHandle): Promise<SimStats> {
  const res = await request(`${sim.controlUrl}/stats`, { dispatcher: agent });
  const body = (await res.body.json()) as { requests: { dataRequests: number; byKind: Record<string, number>; throttled: number }; tables: Record<string, { rows: number }> };
  const rows = Object.fromEntries(Object.entries(body.tables).map(([t, v]) => [t, v.rows]));
  return { dataRequests: body.requests.dataRequests, byKind: body.requests.byKind, throttled: body.requests.throttled, rows };
}

/** The machine's CPU time counters (/proc/stat `cpu` line): all of them summed, and steal. */
function machineTicks(): { total: number; steal: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  return { total: fields.reduce((a, b) => a + b, 0), steal: fields[7] ?? 0 };
}

/** User + system CPU seconds of a process (all its threads). */
function cpuSeconds(pid: number | undefined): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/**
 * The extractor's tasks so far by outcome (its `dynsync_extractor_tasks_total`), without `skipped`: the tasks of other
 * connections on the shared sync.tasks topic, which it only reads past.
 */
async function extractorTasks(pipeline: Pipeline): Promise<Record<string, number>> {
  const extractor = pipeline.services.find((s) => s.name === 'extractor')!;
  const text = await (await fetch(`http://127.0.0.1:${await extractor.opsPort()}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^dynsync_extractor_tasks_total\{[^}]*\boutcome="([^"]*)"[^}]*\} (\d+)/gm)) if (m[1] !== 'skipped') out[m[1]!] = Number(m[2]);
  return out;
}

const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

/** The simulator's data requests once the run started since `since` has every window extracted (polled). */
async function requestsWhenExtracted(state: Db, connection: string, kind: string, since: Date, agent: Agent, sim: SimulatorHandle, done: () => boolean): Promise<number | null> {
  while (!done()) {
    const run = await state.collection<{ completedAt?: Date | null }>('runs').findOne({ connection, kind, startedAt: { $gte: since } });
    if (run?.completedAt) return (await stats(agent, sim)).dataRequests;
    await new Promise((r) => setTimeout(r, 100));
  }
  return null;
}

async function timed(state: Db, connection: string, kind: 'full' | 'incremental', env: Record<string, string>, agent: Agent, sim: SimulatorHandle, pipeline: Pipeline, say: (l: string) => void) {
  await control(agent, `${sim.controlUrl}/stats/reset`, 'POST');
  const tasksBefore = await extractorTasks(pipeline);
  const since = new Date(Date.now() - 1000);
  const commandMs = Date.now();
  let finished = false;
  const extracted = requestsWhenExtracted(state, connection, kind, since, agent, sim, () => finished);
  await dynsync([kind === 'full' ? 'resync' : 'sync', connection], env);
  const run = await watchRun(state, connection, kind, since, say, 1_800_000).finally(() => (finished = true));
  const tasks = await extractorTasks(pipeline);
  const byOutcome = Object.fromEntries(Object.entries(tasks).map(([k, v]) => [k, v - (tasksBefore[k] ?? 0)]).filter(([, v]) => v !== 0));
  const doc = (await state.collection<{ _id: string; completedAt: Date | null; loadedAt: Date | null }>('runs').findOne({ _id: run.runId }))!;
  const s = await stats(agent, sim);
  // end to end: from the command (the CLI's own start included) to the coordinator's completed / loaded marks
  const since0 = (d: Date | null) => (d === null ? null : Number(((d.getTime() - commandMs) / 1000).toFixed(2)));
  return {
    run,
    result: {
      extractedSeconds: since0(doc.completedAt),
      loadedSeconds: since0(doc.loadedAt)!,
      records: run.records,
      requests: s.dataRequests,
      // an incremental has no reconciliation: all its requests come before it is extracted (it may end between two polls)
      requestsUntilExtracted: (await extracted) ?? (kind === 'incremental' ? s.dataRequests : null),
      requestsByKind: s.byKind,
      throttled: s.throttled,
      tasks: sum(byOutcome),
      tasksByOutcome: byOutcome,
    } satisfies ManyTablesRun,
  };
}

async function deleteTopics(servers: BenchServers, connection: string): Promise<void> {
  const admin = createKafka('bench-many-tables', servers.brokers, undefined, servers.kafka.client).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(`dynamics.${connection}.`));
    for (let i = 0; i < topics.length; i += 100) await admin.deleteTopics({ topics: topics.slice(i, i + 100) });
  } finally {
    await admin.disconnect();
  }
}

/** Runs the stage: `tables` generated tables of at most `maxRows` rows. */
export async function benchManyTables(opts: { tables?: number; maxRows?: number; servers?: BenchServers; say?: (line: string) => void } = {}): Promise<ManyTablesBench> {
  const count = opts.tables ?? 500;
  const servers = opts.servers ?? benchServers();
  const say = opts.say ?? ((line: string) => process.stderr.write(`manyTables: ${line}\n`));
  // the simulator's default service protection limits: what a real organisation's application user gets
  const sim = await startSimulator({ port: 0, control: true, rows: 10, generatedTables: count, generatedMaxRows: opts.maxRows ?? 2_000, logLevel: 'silent' });
  const agent = createHttpAgent({ connections: 4, caPem: readCaCertificate(sim.caCertPath) });
  const mongo = await new MongoClient(servers.mongoUri).connect();
  const tables = Array.from({ length: count }, (_, k) => generatedTableName(k + 1));
  const connection = `benchmany${randomBytes(3).toString('hex')}`;
  // a state DB of its own: the coordinator's tick reads every connection of its state DB, and the shared one holds
  // the connections of every earlier bench and demo (their simulators gone), which the numbers must not depend on
  const env = { ...serviceEnv(servers, sim), DYNSYNC_STATE_DB: `${connection}_state` };
  let pipeline: Pipeline | undefined;
  try {
    const truthRows = (await stats(agent, sim)).rows;
    const rows = tables.reduce((s, t) => s + (truthRows[t] ?? 0), 0);
    say(`${count} tables, ${rows} rows; connecting ${connection}`);
    await dynsync(['connect', '--name', connection, '--org', sim.orgUrl, '--tenant', sim.tenantId, '--client-id', sim.clientId,
      '--client-secret-stdin', '--flow', 'client-credentials', '--tables', tables.join(',')], env, `${sim.clientSecret}\n`);
    pipeline = await startPipeline(connection, env, { tasksFromEnd: true });
    const state = mongo.db(env.DYNSYNC_STATE_DB!);
    const extractor = pipeline.services.find((s) => s.name === 'extractor')!;

    say('full sync');
    const cpuAtStart = pipeline.services.map((svc) => cpuSeconds(svc.child.pid));
    const cpu0 = cpuSeconds(extractor.child.pid);
    const ticks0 = machineTicks();
    const full = await timed(state, connection, 'full', env, agent, sim, pipeline, say);
    const cpu = cpuSeconds(extractor.child.pid) - cpu0;
    const ticks1 = machineTicks();
    const stealPercent = Number(((100 * (ticks1.steal - ticks0.steal)) / Math.max(1, ticks1.total - ticks0.total)).toFixed(1));
    say(`full sync: extracted ${full.result.extractedSeconds} s, loaded ${full.result.loadedSeconds} s, ${full.result.requests} requests (${full.result.requestsUntilExtracted} until extracted, ${full.result.throttled} throttled), ${full.result.tasks} tasks, extractor CPU ${cpu.toFixed(1)} s, ${stealPercent} % of the CPU taken by the host (steal)`);
    say('verifying MongoDB against the simulator');
    const db = mongo.db(`dynsync_${connection}`);
    const verdicts = [];
    for (const t of tables) verdicts.push(await verifyTable(db, t, await truthVersions(sim.controlUrl!, agent, t, `${t}id`)));
    const bad = verdicts.filter((v) => !matches(v));
    if (bad.length > 0) say(`NOT EQUAL: ${bad.length} tables, e.g. ${JSON.stringify(bad[0])}`);

    // time passes between runs: past the coordinator's safety lag, nothing changed at the source
    await control(agent, `${sim.controlUrl}/clock`, 'POST', { shiftSeconds: 120 });
    say('incremental with no change');
    const incremental = await timed(state, connection, 'incremental', env, agent, sim, pipeline, say);
    say(`incremental: loaded ${incremental.result.loadedSeconds} s, ${incremental.result.requests} requests, ${incremental.result.tasks} tasks`);

    const names = ['loader', 'extractor', 'coordinator'];
    const peak: Record<string, number> = {};
    const serviceCpu: Record<string, number> = {};
    pipeline.services.forEach((svc, i) => {
      peak[names[i]!] = Math.max(peak[names[i]!] ?? 0, peakRssMb(svc.child.pid));
      serviceCpu[names[i]!] = Number((cpuSeconds(svc.child.pid) - cpuAtStart[i]!).toFixed(2));
    });
    return {
      tables: count,
      rows,
      full: {
        ...full.result,
        cpuSeconds: Number(cpu.toFixed(2)),
        cpuMillisPerTask: Number(((cpu * 1000) / Math.max(1, full.result.tasks)).toFixed(2)),
        cpuMicrosPerRow: Number(((cpu * 1e6) / Math.max(1, full.result.records)).toFixed(1)),
        ok: bad.length === 0,
        stealPercent,
      },
      incremental: incremental.result,
      cpuSeconds: serviceCpu,
      peakRssMb: peak,
    };
  } finally {
    await pipeline?.stop();
    await deleteTopics(servers, connection).catch((err: unknown) => say(`could not delete the bench topics: ${(err as Error).message}`));
    await mongo.db(env.DYNSYNC_STATE_DB).dropDatabase().catch((err: unknown) => say(`could not drop the bench state DB: ${(err as Error).message}`));
    await agent.close();
    await mongo.close();
    await sim.close();
  }
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { tables: { type: 'string', default: '500' }, 'max-rows': { type: 'string', default: '2000' } } });
  console.log(JSON.stringify(await benchManyTables({ tables: Number(values.tables), maxRows: Number(values['max-rows']) }), null, 2));
  process.exit(0);
}
