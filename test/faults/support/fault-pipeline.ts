/**
 * One file's pipeline for the fault suite: an in-process simulator, connections registered through the CLI
 * (OAuth authorization code, auto-consent), coordinator / extractor / loader as supervised child processes on the
 * suite's own stack, runs requested through the CLI and awaited in the state DB, and the two verdicts: MongoDB
 * equals the source (harness/ground-truth.ts) and no watermark is ahead of durable data (source-truth.ts).
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { MongoClient, type Db } from 'mongodb';
import { request, type Agent } from 'undici';
import { inject } from 'vitest';
import { startSimulator, type SimulatorHandle, type SimulatorOptions } from '../../../services/simulator/simulator.ts';
import { createHttpAgent, readCaCertificate } from '../../../services/dataverse/client/http-agent.ts';
import { dynsync } from '../../../harness/cli-process.ts';
import { matches, truthVersions, verifyTable, type TableVerdict } from '../../../harness/ground-truth.ts';
import { faultConnectionEnv, startServer, stopServer, type StackServer } from './fault-stack.ts';
import { checkWatermark, sourceRows, type WatermarkCheck } from './source-truth.ts';
import { SupervisedService } from './supervised-service.ts';
import { scanForSecrets, type SecretFinding } from './log-scan.ts';
import { isOver, poll, runLine, type RunDoc } from './run-docs.ts';

export type { RunDoc } from './run-docs.ts';

/** The services of the pipeline. */
export type ServiceName = 'coordinator' | 'extractor' | 'loader';

/** Settings of one file's pipeline. */
export interface FaultPipelineOptions {
  /** Short lower-case tag naming the file's connections, groups and state DB. */
  tag: string;
  /** Tables of every connection. */
  tables: readonly string[];
  /** Base rows per table. */
  rows: number;
  simulator?: Partial<SimulatorOptions>;
  /** Extra service environment (e.g. coordinator settings). */
  env?: Record<string, string>;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** See the file comment. */
export class FaultPipeline {
  readonly sim: SimulatorHandle;
  readonly agent: Agent;
  readonly mongo: MongoClient;
  readonly state: Db;
  readonly env: Record<string, string>;
  readonly stackEnv: Record<string, string>;
  readonly services: Record<ServiceName, SupervisedService>;
  readonly logDir: string;
  readonly tables: readonly string[];
  readonly lines: string[] = [];
  private readonly tag: string;
  private connections = 0;
  private readonly t0 = Date.now();

  private constructor(opts: FaultPipelineOptions, sim: SimulatorHandle, mongo: MongoClient) {
    this.sim = sim;
    this.mongo = mongo;
    this.tag = `${opts.tag}${randomBytes(2).toString('hex')}`;
    this.tables = opts.tables;
    this.stackEnv = inject('faultStackEnv');
    this.logDir = join(inject('faultLogDir'), this.tag);
    mkdirSync(this.logDir, { recursive: true });
    this.agent = createHttpAgent({ connections: 4, caPem: readCaCertificate(sim.caCertPath) });
    const stateDb = `faults_${this.tag}`;
    this.state = mongo.db(stateDb);
    this.env = {
      ...faultConnectionEnv(),
      DYNSYNC_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      DYNSYNC_STATE_DB: stateDb,
      DYNSYNC_SECRETS_DB: stateDb,
      DYNSYNC_DEV_ORIGINS: sim.orgUrl,
      DYNSYNC_DEV_AUTHORITY: sim.orgUrl,
      DYNSYNC_DEV_CA_PATH: sim.caCertPath,
      LOG_LEVEL: 'info',
    };
    const loaderGroup = `faults-loader-${this.tag}`;
    const own = (extra: Record<string, string>) => ({ ...this.env, ...extra, ...opts.env });
    this.services = {
      coordinator: new SupervisedService('coordinator', own({
        COORDINATOR_GROUP_ID: `faults-coordinator-${this.tag}`, COORDINATOR_LOADER_GROUP_ID: loaderGroup, COORDINATOR_OPS_PORT: '0',
        COORDINATOR_STATUS_PORT: '0', COORDINATOR_SCHEDULE_ENABLED: 'false', COORDINATOR_TICK_MS: '500', COORDINATOR_WINDOWS_PER_TABLE: '8',
      }), this.logDir),
      extractor: new SupervisedService('extractor', own({
        EXTRACTOR_GROUP_ID: `faults-extractor-${this.tag}`, EXTRACTOR_OPS_PORT: '0', EXTRACTOR_CONNECTIONS: `^${this.tag}`,
        EXTRACTOR_SESSION_TIMEOUT_MS: '6000', KAFKA_TABLE_PARTITIONS: '3', KAFKA_TABLE_PARTITION_ROWS: '0',
      }), this.logDir),
      loader: new SupervisedService('loader', own({
        LOADER_GROUP_ID: loaderGroup, LOADER_TOPIC_PATTERN: `^dynamics\\.${this.tag}`, LOADER_OPS_PORT: '0', LOADER_TOPIC_REFRESH_MS: '1000',
      }), this.logDir),
    };
  }

  /** Starts the simulator (control API on) and the three services. */
  static async start(opts: FaultPipelineOptions): Promise<FaultPipeline> {
    // newest base row an hour ago: a source clock moved back by minutes still sees every base row in its past
    const sim = await startSimulator({ port: 0, control: true, rows: opts.rows, anchor: Date.now() - 3_600_000, logLevel: 'silent', ...opts.simulator });
    const mongo = await new MongoClient(faultConnectionEnv().MONGODB_URI, { serverSelectionTimeoutMS: 5000, socketTimeoutMS: 30_000 }).connect();
    const p = new FaultPipeline(opts, sim, mongo);
    try {
      await Promise.all(Object.values(p.services).map((s) => s.start()));
    } catch (err) {
      await p.close(); // never leave a started service behind
      throw err;
    }
    p.say(`pipeline ${p.tag} up: simulator ${sim.orgUrl}, ${opts.rows} rows in ${opts.tables.join(', ')}`);
    return p;
  }

  /** Records a progress line (kept for failure messages and in `<logDir>/steps.log`). */
  say(line: string): void {
    const entry = `[${((Date.now() - this.t0) / 1000).toFixed(1).padStart(6)}s] ${line}`;
    this.lines.push(entry);
    appendFileSync(join(this.logDir, 'steps.log'), `${entry}\n`);
  }

  /** The CLI with the pipeline's settings; its output lands in cli.log (scanned for secrets too). */
  async cli(args: string[]): Promise<string> {
    const shown = args.map((a) => (a === this.sim.clientSecret ? '<secret>' : a)).join(' ');
    try {
      const out = await dynsync(args, this.env);
      appendFileSync(join(this.logDir, 'cli.log'), `$ dynsync ${shown}\n${out}`);
      return out;
    } catch (err) {
      appendFileSync(join(this.logDir, 'cli.log'), `$ dynsync ${shown}\n${String(err)}\n`);
      throw err;
    }
  }

  /** Registers a new connection (delegated flow, as the seed) and returns its id. */
  async connect(): Promise<string> {
    const id = `${this.tag}c${++this.connections}`;
    await this.cli(['connect', '--name', id, '--org', this.sim.orgUrl, '--tenant', this.sim.tenantId, '--client-id', this.sim.clientId,
      '--client-secret', this.sim.clientSecret, '--flow', 'delegated', '--auto-consent', '--tables', this.tables.join(',')]);
    return id;
  }

  /** Registers a connection and runs its first full sync (the baseline of a file's cases); throws with the timeline unless it is loaded. */
  async connectWithBaseline(): Promise<string> {
    const connection = await this.connect();
    const first = await this.run(connection, 'full');
    if (first.status !== 'loaded') throw new Error(`baseline full run ${first.status}\n${this.lines.join('\n')}`);
    return connection;
  }

  /** A call of the simulator's control API. */
  async ctl<T = unknown>(path: string, method: Method = 'GET', body?: unknown): Promise<T> {
    const res = await request(`${this.sim.controlUrl}${path}`, { method, dispatcher: this.agent, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
    const text = await res.body.text();
    if (res.statusCode >= 400) throw new Error(`simulator control ${method} ${path}: ${res.statusCode} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** The data database of a connection. */
  data(connection: string): Db {
    return this.mongo.db(`dynsync_${connection}`);
  }

  /**
   * Requests a run through the CLI (`sync` or `resync`), runs `during` alongside (the fault), and waits until the run
   * is loaded (and, for a full run, reconciled) or failed; resolves to the run. Then waits the same way for the full
   * runs it requested for tables whose delta token expired (`deltaFallbacks`): until they are over, the loader is
   * still rewriting those tables (on FerretDB a rewrite deletes, then inserts), so nothing can be checked yet.
   * Throws on timeout.
   */
  async run(connection: string, kind: 'full' | 'incremental', during?: (started: Promise<RunDoc>) => Promise<void>, timeoutMs = 180_000): Promise<RunDoc> {
    const runs = this.state.collection<RunDoc>('runs');
    const known = new Set((await runs.find({ connection }, { projection: { _id: 1 } }).toArray()).map((r) => r._id));
    const t = Date.now();
    await this.cli([kind === 'full' ? 'resync' : 'sync', connection]);
    this.say(`${kind} run of ${connection} requested`);
    const latest = async (): Promise<RunDoc | undefined> => {
      try {
        return (await runs.find({ connection, kind }).sort({ startedAt: -1 }).limit(5).toArray()).find((r) => !known.has(r._id));
      } catch {
        return undefined; // the store may be down: keep polling
      }
    };
    const deadline = t + timeoutMs;
    const started = poll(latest, deadline, 200).then((r) => r ?? Promise.reject(new Error(`no ${kind} run of ${connection} started within ${timeoutMs / 1000}s`)));
    started.catch(() => undefined);
    const fault = during ? during(started) : Promise.resolve();
    const finished = await poll(async () => {
      const r = await latest();
      return r && isOver(r) ? r : undefined;
    }, deadline, 300);
    await fault;
    if (!finished) throw new Error(`${kind} run of ${connection} did not finish within ${timeoutMs / 1000}s\n${this.lines.join('\n')}`);
    this.say(runLine(finished, t));
    for (const id of Object.values(finished.deltaFallbacks ?? {})) {
      const fallback = await poll(async () => {
        const r = await runs.findOne({ _id: id }).catch(() => null); // the store may be down: keep polling
        return r && isOver(r) ? r : undefined;
      }, deadline, 300);
      if (!fallback) throw new Error(`the delta fallback run ${id} of ${connection} did not finish within ${timeoutMs / 1000}s\n${this.lines.join('\n')}`);
      this.say(runLine(fallback, t));
    }
    return finished;
  }

  /** MongoDB against the source, table by table (retried for a few seconds: tombstones land after "loaded"). */
  async verify(connection: string): Promise<TableVerdict[]> {
    let verdicts: TableVerdict[] = [];
    for (let i = 0; i < 10; i++) {
      verdicts = [];
      for (const t of this.tables) verdicts.push(await verifyTable(this.data(connection), t, await truthVersions(this.sim.controlUrl!, this.agent, t, `${t}id`)));
      if (verdicts.every(matches)) break;
      await sleep(1000);
    }
    this.say(`verify ${connection}: ${verdicts.map((v) => `${v.table} ${v.stored}/${v.truth}${matches(v) ? '' : ` missing ${v.missing} stale ${v.stale} extra ${v.extra} ${v.examples.join(' ')}`}`).join('; ')}`);
    return verdicts;
  }

  /** The watermark check of every table of `connection` (see source-truth.ts). */
  async watermarks(connection: string, allowed: ReadonlySet<string> = new Set()): Promise<WatermarkCheck[]> {
    const out: WatermarkCheck[] = [];
    for (const t of this.tables) out.push(await checkWatermark(this.state, this.data(connection), connection, t, await sourceRows(this.sim.controlUrl!, this.agent, t), allowed));
    this.say(`watermarks ${connection}: ${out.map((c) => `${c.table} ${c.watermark?.toISOString() ?? 'none'} covers ${c.covered}${c.violations.length ? ` VIOLATIONS ${c.violations.slice(0, 3).join(' ')}` : ''}`).join('; ')}`);
    return out;
  }

  /**
   * After `delayMs`, runs `fault` (the run has started); resolves to the run's status when the fault began, so a case
   * can assert that its fault landed while the run was still extracting or loading.
   */
  async faultAfter(started: Promise<RunDoc>, delayMs: number, fault: () => Promise<void>): Promise<string> {
    const { _id } = await started;
    await sleep(delayMs);
    const status = (await this.state.collection<RunDoc>('runs').findOne({ _id }))?.status ?? 'unknown';
    this.say(`fault begins while the run is ${status}`);
    await fault();
    return status;
  }

  /** Stops a server of the fault stack for `downMs`, then starts it again and waits until it is healthy. */
  async serverOutage(server: StackServer, downMs: number): Promise<void> {
    this.say(`stopping ${server}`);
    await stopServer(server, this.stackEnv);
    this.say(`${server} stopped; down for ${downMs / 1000}s`);
    await sleep(downMs);
    await startServer(server, this.stackEnv);
    this.say(`${server} healthy again`);
  }

  /** kill -9 of a service, restarted after `pauseMs`. */
  async killAndRestart(name: ServiceName, pauseMs: number): Promise<void> {
    await this.services[name].kill9();
    this.say(`kill -9 ${name}; restart in ${pauseMs} ms`);
    await sleep(pauseMs);
    await this.services[name].start();
    this.say(`${name} restarted`);
  }

  /** Updates `count` existing rows of `table` from index `first` (source order) and creates `creates` new ones; returns the updated ids. */
  async change(table: string, count: number, first = 0, creates = 0): Promise<string[]> {
    const column = TEXT_COLUMN[table] ?? 'name';
    const ids = [...(await truthVersions(this.sim.controlUrl!, this.agent, table, `${table}id`)).keys()].slice(first, first + count);
    for (const id of ids) await this.ctl(`/tables/${table}/rows/${id}`, 'PATCH', { values: { [column]: `fault ${id.slice(0, 8)} ${Date.now()}` } });
    for (let i = 0; i < creates; i++) await this.ctl(`/tables/${table}/rows`, 'POST', { values: { [column]: `fault new ${i}` } });
    return ids;
  }

  /** Moves the simulator's clock (e.g. past the coordinator's safety lag so the next run sees recent changes). */
  async shiftClock(seconds: number): Promise<void> {
    await this.ctl('/clock', 'POST', { shiftSeconds: seconds });
  }

  /** Secret scan of every captured log plus the simulator's count of non-GET data requests. */
  async finalChecks(): Promise<{ findings: SecretFinding[]; files: number; bytes: number; nonGet: number }> {
    const scan = scanForSecrets(this.logDir, { 'the client secret': this.sim.clientSecret, 'the encryption key': this.env.DYNSYNC_ENCRYPTION_KEY!,
      'the encryption key (hex)': Buffer.from(this.env.DYNSYNC_ENCRYPTION_KEY!, 'base64').toString('hex') });
    const nonGet = (await this.ctl<{ count: number }>('/non-get')).count;
    this.say(`logs: ${scan.files} files, ${scan.bytes} bytes, ${scan.findings.length} secret findings; non-GET requests ${nonGet}`);
    return { ...scan, nonGet };
  }

  /** Unexpected exits of any service so far. */
  crashes() {
    return Object.values(this.services).flatMap((s) => s.crashes);
  }

  /** Stops services and simulator, closes clients. */
  async close(): Promise<void> {
    await Promise.all(Object.values(this.services).map((s) => s.stop()));
    await this.sim.close();
    await this.agent.close();
    await this.mongo.close();
  }
}

/** A writable text column per table. */
const TEXT_COLUMN: Record<string, string> = { account: 'name', contact: 'lastname', opportunity: 'name', new_widget: 'new_name' };

/** Sleeps `ms` milliseconds. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
