/**
 * The main job: simulator → pipeline → MongoDB, end to end, with a verdict.
 *  1. local servers up (reused if running); the Dataverse simulator with a seeded organisation;
 *  2. `dynsync connect` through the real OAuth authorization-code flow against the simulator;
 *  3. coordinator, extractor and loader as separate processes;
 *  4. a full sync (`dynsync resync`), verified table by table against the simulator's ground truth;
 *  5. mutations at the source (creates, updates, deletes, a row backdated inside the overlap), an incremental
 *     (`dynsync sync`, which captures the deletes through delta links: the mutated tables are change-tracked),
 *     then the nightly full refresh, each verified again;
 *  6. a summary; everything it started is stopped, unless `keep`: then the simulator and the services stay up as
 *     processes of their own and the result says how to reach them (kept-demo.ts).
 * Used by `npm run demo` and by the end-to-end tests.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { MongoClient, type Db } from 'mongodb';
import { request, type Agent } from 'undici';
import { up, down } from '../local/stack.ts';
import { createHttpAgent, readCaCertificate } from '../../services/dataverse/client/http-agent.ts';
import { principalEnv } from '../local/settings.ts';
import { dynsync } from '../../harness/cli-process.ts';
import { matches, truthVersions, verifyTable, type TableVerdict } from '../../harness/ground-truth.ts';
import { prepareDemoDir, readKeptDemo, runningProcesses, writeEnvFile, writeKeptDemo, type Handover, type KeptDemo } from './kept-demo.ts';
import { watchRun, type RunSummary } from '../../harness/run-watch.ts';
import { startPipeline } from '../../harness/pipeline.ts';
import { eventually, type ServiceProcess } from '../../harness/service-process.ts';
import { startSimulatorProcess, type DemoSimulator } from '../../harness/simulator-process.ts';

/** Demo settings. */
export interface DemoOptions {
  /** Rows in the organisation, spread over its five main tables. */
  rows: number;
  /** Leave servers, simulator and services running, and hand them over ({@link DemoResult.handover}). */
  keep: boolean;
  /** With `keep`: where logs, process ids and the CLI settings go (kept-demo.ts `demoDir()`). */
  dir?: string;
  say: (line: string) => void;
  /** Per-run timeout. */
  runTimeoutMs?: number;
  /** Added to every version number of the simulated organisation (versionnumbers beyond 2^53); default 0. */
  versionOffset?: bigint;
  /** Called after the full sync is verified, before the source changes (tests inspect the topics and documents). */
  afterFullSync?: (ctx: { sim: DemoSimulator; agent: Agent; connection: string; db: Db; env: Record<string, string> }) => Promise<void>;
}

/** What the demo found. */
export interface DemoResult {
  ok: boolean;
  connection: string;
  runs: RunSummary[];
  verdicts: { step: string; tables: TableVerdict[] }[];
  nonGetRequests: number;
  seconds: number;
  /** With `keep`: what was left running and how to use it. */
  handover?: Handover;
}

const MAIN_TABLES = ['account', 'contact', 'opportunity', 'new_widget', 'new_importlog'];
/** The fewest rows the demo runs with: step 5 changes the first 31 rows of each main table. */
export const MIN_ROWS = MAIN_TABLES.length * 31;
/** Tables changed by the demo, with a writable text column of each. */
const MUTATED: Record<string, string> = { account: 'name', contact: 'lastname', new_widget: 'new_name' };

async function control<T>(agent: Agent, url: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', body?: unknown): Promise<T> {
  const res = await request(url, { method, dispatcher: agent, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
  const text = await res.body.text();
  if (res.statusCode >= 400) throw new Error(`simulator control ${method} ${url}: ${res.statusCode} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Runs the demo. */
export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  const { say } = opts;
  const started = Date.now();
  const perTable = Math.max(10, Math.round(opts.rows / MAIN_TABLES.length));
  const connection = `demo${randomBytes(3).toString('hex')}`;
  // a kept demo: its processes outlive this one, logging to files in its directory, recorded for `--stop`
  const dir = opts.keep ? opts.dir : undefined;
  let kept: KeptDemo | undefined;
  if (dir !== undefined) {
    prepareDemoDir(dir);
    const previous = readKeptDemo(dir);
    if (previous && runningProcesses(previous).length > 0) {
      throw new Error(`a kept demo is still running (connection "${previous.connection}"; ${dir}): stop it first with \`npm run demo -- --stop\``);
    }
  }
  say(`1/6 servers`);
  const infra = await up(say);
  const startedServers = Object.entries(infra.outcomes).filter(([, o]) => o === 'started').map(([n]) => n);
  const keep = (name: string, pid: number | undefined) => {
    if (dir === undefined || kept === undefined || pid === undefined) return;
    kept.processes.push({ name, pid });
    writeKeptDemo(dir, kept);
  };
  if (dir !== undefined) {
    kept = { connection, startedAt: new Date(started).toISOString(), processes: [], startedServers };
    writeKeptDemo(dir, kept);
  }
  const sim = await startSimulatorProcess({ rows: perTable, ...(opts.versionOffset ? { versionOffset: opts.versionOffset } : {}), ...(dir ? { logFile: join(dir, 'simulator.log'), detached: true } : {}) });
  keep('simulator', sim.pid);
  const agent = createHttpAgent({ connections: 4, caPem: readCaCertificate(sim.caCertPath) });
  const ctl = (path: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE' = 'GET', body?: unknown) => control<never>(agent, `${sim.controlUrl}${path}`, method, body);
  say(`   simulator ${sim.orgUrl}: ${perTable} rows in each of ${MAIN_TABLES.join(', ')} (+ reference tables)`);
  const stateDb = 'dynsync';
  /** What the `dynsync` CLI needs (the services get the same plus LOG_LEVEL). */
  const cliEnv: Record<string, string> = {
    ...infra.env,
    DYNSYNC_STATE_DB: stateDb,
    DYNSYNC_DEV_ORIGINS: sim.orgUrl,
    DYNSYNC_DEV_AUTHORITY: sim.orgUrl,
    DYNSYNC_DEV_CA_PATH: sim.caCertPath,
    // the demo's own throwaway key: it seals only the simulator's client secret (never printed; with --keep it is
    // in the demo directory's env file, mode 600, so the user's CLI can read the demo connection)
    DYNSYNC_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  };
  const env: Record<string, string> = { ...cliEnv, LOG_LEVEL: 'info' };
  if (dir !== undefined) writeEnvFile(dir, cliEnv);
  const services: ServiceProcess[] = [];
  const mongo = await new MongoClient(infra.env.MONGODB_URI).connect();
  const result: DemoResult = { ok: false, connection, runs: [], verdicts: [], nonGetRequests: -1, seconds: 0 };
  try {
    say(`2/6 connect "${connection}" through the OAuth authorization-code flow`);
    await dynsync(['connect', '--name', connection, '--org', sim.orgUrl, '--tenant', sim.tenantId, '--client-id', sim.clientId,
      '--client-secret-stdin', '--flow', 'delegated', '--auto-consent'], env, `${sim.clientSecret}\n`);
    const tables = (JSON.parse(await dynsync(['tables', connection, '--json'], env)) as { tables: { logicalName: string; primaryIdAttribute: string }[] }).tables;
    say(`   ${tables.length} tables discovered`);

    say('3/6 start coordinator, extractor and loader');
    services.push(...(await startPipeline(connection, env, dir ? { logDir: dir } : {})).services);
    for (const s of services) keep(s.name, s.child.pid);
    const db = mongo.db(`dynsync_${connection}`);
    const state = mongo.db(stateDb);
    const timeout = opts.runTimeoutMs ?? 30 * 60_000;
    const compare = async () => {
      const verdicts: TableVerdict[] = [];
      for (const t of tables) verdicts.push(await verifyTable(db, t.logicalName, await truthVersions(sim.controlUrl!, agent, t.logicalName, t.primaryIdAttribute)));
      return verdicts;
    };
    const verify = async (step: string, expectDeletes = true) => {
      // tombstones of a reconciliation are produced after the run is loaded: give the loader a few seconds
      let verdicts = await compare();
      for (let i = 0; i < 20 && verdicts.some((v) => !matches(v)); i++) {
        await new Promise((r) => setTimeout(r, 1000));
        verdicts = await compare();
      }
      if (!expectDeletes) verdicts = verdicts.map((v) => ({ ...v, extra: 0, examples: v.examples.filter((e) => !e.startsWith('extra')) }));
      result.verdicts.push({ step, tables: verdicts });
      const bad = verdicts.filter((v) => !matches(v));
      say(`   ${step}: ${verdicts.reduce((s, v) => s + v.stored, 0)} documents; ${bad.length === 0 ? 'MongoDB equals the simulator, table by table' : `MISMATCH in ${bad.map((v) => `${v.table} (missing ${v.missing}, stale ${v.stale}, extra ${v.extra}, different ${v.different}: ${v.examples.join(', ')})`).join('; ')}`}`);
      return bad.length === 0;
    };
    const runAndWait = async (args: string[], kind: 'full' | 'incremental') => {
      const since = new Date(Date.now() - 1000);
      await dynsync([...args, connection], principalEnv(env, 'ops')); // the ops principal: the one that may write sync.commands
      const run = await watchRun(state, connection, kind, since, say, timeout);
      result.runs.push(run);
      return run;
    };

    say('4/6 full sync');
    const full = await runAndWait(['resync'], 'full');
    let ok = await verify('after the full sync');
    if (opts.afterFullSync) await opts.afterFullSync({ sim, agent, connection, db, env });

    say('5/6 change the source: creates, updates, deletes, and a row backdated inside the overlap');
    for (const [table, text] of Object.entries(MUTATED)) {
      const pk = tables.find((t) => t.logicalName === table)!.primaryIdAttribute;
      const ids = [...(await truthVersions(sim.controlUrl!, agent, table, pk)).keys()];
      for (let i = 0; i < 20; i++) await ctl(`/tables/${table}/rows`, 'POST', { values: { [text]: `demo new ${i}` } });
      for (const id of ids.slice(0, 20)) await ctl(`/tables/${table}/rows/${id}`, 'PATCH', { values: { [text]: `demo updated ${id.slice(0, 8)}` } });
      for (const id of ids.slice(20, 30)) await ctl(`/tables/${table}/rows/${id}`, 'DELETE');
      // updated after the full run, but its modifiedon set just before that run's T0 (an import): the overlap catches it
      await ctl(`/tables/${table}/rows/${ids[30]}`, 'PATCH', { values: { [text]: 'demo backdated' } });
      await ctl(`/tables/${table}/rows/${ids[30]}/backdate`, 'POST', { modifiedon: new Date(full.runStart.getTime() - 60_000).toISOString() });
    }
    // the coordinator reads up to Dataverse time minus a safety lag (60 s): let two minutes pass on the source
    await ctl('/clock', 'POST', { shiftSeconds: 120 });
    await runAndWait(['sync'], 'incremental');
    // the mutated tables have change tracking: the incremental's delta tasks tombstone the deleted rows
    ok = (await verify('after the incremental (creates, updates, backdated, deletes through delta links)')) && ok;
    await runAndWait(['resync'], 'full');
    ok = (await verify('after the nightly full refresh')) && ok;
    result.ok = ok;
    result.nonGetRequests = ((await ctl('/non-get')) as { count: number }).count;
    if (result.nonGetRequests !== 0) result.ok = false;
    return result;
  } finally {
    result.seconds = (Date.now() - started) / 1000;
    if (!opts.keep) {
      await Promise.all(services.map((s) => s.kill('SIGTERM')));
      await sim.close();
      if (startedServers.length > 0) await down(say, startedServers);
    } else if (dir !== undefined && kept !== undefined) {
      const coordinator = services.find((s) => s.name === 'coordinator');
      const statusLine = coordinator ? await eventually(async () => coordinator.logs.find((l) => typeof l.statusPort === 'number'), 5_000, 100).catch(() => undefined) : undefined;
      const statusUrl = statusLine ? String(statusLine.msg).replace(/^status page on /, '') : undefined;
      result.handover = { dir, connection, statusUrl, orgUrl: sim.orgUrl, controlUrl: sim.controlUrl, processes: kept.processes, env: cliEnv };
    }
    await agent.close();
    await mongo.close();
  }
}
