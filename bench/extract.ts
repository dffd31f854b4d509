/**
 * Extractor benchmark: the simulator's raw page rate (bench/simulator.ts, a plain fetch loop) and the extractor
 * (a child process, as deployed) on the same `new_widget` table of N rows: one task covering the whole table,
 * split adaptively by the extractor, every record produced to Kafka and acknowledged. The extractor's group starts
 * at the end of sync.tasks (as a caught-up group), not behind the tasks of earlier runs. Reports rows/s, the ratio
 * to raw, the extractor's CPU per row (user + system of its process, all threads, from /proc/<pid>/stat, from the
 * start of the run to its last window) and its peak RSS (VmHWM from /proc). Needs the local servers
 * (`npm run infra:up`).
 *
 *   npx node bench/extract.ts --rows 100000 [--compression none|gzip|both] [--lookup-names false|true|both]
 *     [--cpu-prof <dir>]   (V8 CPU profile of the extractor process, written on a SIGTERM exit)
 *     [--env NAME=value]…  (extra extractor settings, e.g. --env DATAVERSE_PAGE_SIZE=1000)
 *     [--latency-ms <n>]   (the simulator answers every request n ms late, like a remote Dataverse, and so does
 *                           the raw loop's simulator)
 *     [--scaling]          (then two extractors in one group: each one's windows, rows, CPU and peak RSS)
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Agent, fetch as undiciFetch } from 'undici';
import { startExtractHarness } from '../harness/extract-harness.ts';
import { eventually, startService } from '../harness/service-process.ts';
import { createKafka } from '../services/shared/kafka.ts';
import { benchServers } from './servers.ts';
import { controlTopics } from '../services/shared/topics.ts';
import { benchSimulator } from './simulator.ts';
import { TASKS_TOPIC } from '../services/contracts/topic-names.ts';
import { ensureTopics } from '../services/shared/kafka-topics.ts';

/** One extractor measurement. */
export interface ExtractRun {
  readonly rows: number;
  readonly compression: string;
  readonly lookupNames: boolean;
  readonly seconds: number;
  readonly rowsPerSec: number;
  readonly peakRssMb: number;
  /** The extractor process's user + system CPU (all its threads) from its start of work to the last window, per row. */
  readonly cpuMicrosPerRow: number;
  readonly cpuSeconds: number;
  readonly windows: number;
  readonly splits: number;
  /** With several extractors in the group: each one's share. */
  readonly instances?: readonly InstanceShare[];
}

/** The result merged into `npm run bench`. */
export interface ExtractBench {
  readonly simulatorRaw: { readonly rowsPerSec: number };
  readonly extract: { readonly rowsPerSec: number; readonly peakRssMb: number; readonly cpuMicrosPerRow: number; readonly latencyMs: number };
  readonly runs: readonly ExtractRun[];
  readonly scaling?: ExtractScaling;
}

/** The servers (bench/servers.ts), with the settings the extract harness and its extractor use. */
const servers = () => {
  const s = benchServers();
  return { brokers: s.brokers, registryUrl: s.registryUrl, mongoUri: s.mongoUri, env: s.env, kafka: s.kafka };
};

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** User + system CPU seconds a process has used so far, all threads (fields 14 and 15 of /proc/<pid>/stat). */
export function processCpuSeconds(pid: number | undefined): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields[0] is field 3 (the name may hold spaces)
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

function peakRssMb(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

/** The extractor's V8 heap settings recommended for deployment (README): keeps RSS flat. */
export const EXTRACTOR_NODE_OPTIONS = '--max-old-space-size=160 --max-semi-space-size=8';

/**
 * Commits the (new) extractor group's offsets at the current end of sync.tasks, so the extractor starts where a
 * long-running group would be: caught up. Otherwise it first skips every task earlier tests and benchmarks left in
 * sync.tasks (one decode and one commit each: thousands, tens of seconds), which is not extraction.
 */
async function startAtEnd(groupId: string): Promise<void> {
  const admin = createKafka('bench-extract', servers().brokers, undefined, servers().kafka.client).admin();
  await admin.connect();
  try {
    await ensureTopics(admin, controlTopics());
    const ends = await admin.fetchTopicOffsets(TASKS_TOPIC);
    await admin.setOffsets({ groupId, topic: TASKS_TOPIC, partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })) });
  } finally {
    await admin.disconnect();
  }
}

/**
 * Sets the harness simulator's answer latency. Its own agent trusts the simulator's CA: the process-wide default
 * already holds the raw-rate simulator's certificate, and OpenSSL looks CAs up by subject, which both share.
 */
async function simulatorLatency(controlUrl: string | undefined, caCertPath: string, latencyMs: number): Promise<void> {
  if (controlUrl === undefined) throw new Error('the harness simulator has no control API');
  const dispatcher = new Agent({ connect: { ca: readFileSync(caCertPath, 'utf8') } });
  try {
    const res = await undiciFetch(`${controlUrl}/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ latencyMs }), dispatcher });
    if (!res.ok) throw new Error(`simulator faults: HTTP ${res.status} ${await res.text()}`);
  } finally {
    await dispatcher.close();
  }
}

/** One extractor instance's share of a run. */
export interface InstanceShare {
  /** Windows it completed with rows, and those rows. */
  readonly windows: number;
  readonly rows: number;
  readonly cpuSeconds: number;
  readonly peakRssMb: number;
}

/** Options of one measurement. */
interface MeasureOptions {
  compression: string;
  lookupNames: boolean;
  cpuProfDir?: string | undefined;
  env?: Record<string, string> | undefined;
  latencyMs?: number | undefined;
  /** Extractor processes in the one consumer group. Default 1. */
  instances?: number | undefined;
}

/** The windows with rows that an extractor's log says it completed, and their rows. */
function shareOf(logs: readonly Record<string, unknown>[]): { windows: number; rows: number } {
  const done = logs.filter((l) => l.msg === 'window completed' && typeof l.count === 'number' && l.count > 0);
  return { windows: done.length, rows: done.reduce((n, l) => n + (l.count as number), 0) };
}

async function measure(rows: number, o: MeasureOptions): Promise<ExtractRun> {
  const h = await startExtractHarness(servers(), { rows: 100, tableRows: { new_widget: rows }, limits: { requests: 1_000_000 } });
  if ((o.latencyMs ?? 0) > 0) await simulatorLatency(h.sim.controlUrl, h.sim.caCertPath, o.latencyMs!);
  const nodeOptions = o.cpuProfDir === undefined ? EXTRACTOR_NODE_OPTIONS : `${EXTRACTOR_NODE_OPTIONS} --cpu-prof --cpu-prof-dir=${o.cpuProfDir}`;
  const env = h.extractorEnv({ EXTRACTOR_COMPRESSION: o.compression, EXTRACTOR_LOOKUP_NAMES: String(o.lookupNames), NODE_OPTIONS: nodeOptions, ...o.env });
  await startAtEnd(env.EXTRACTOR_GROUP_ID!);
  const extractors = Array.from({ length: o.instances ?? 1 }, () => startService('extractor', env));
  try {
    for (const extractor of extractors) {
      const port = await extractor.opsPort();
      await eventually(async () => (await fetch(`http://127.0.0.1:${port}/health/ready`)).ok, 60_000);
    }
    const cpuBefore = extractors.map((e) => processCpuSeconds(e.child.pid));
    const started = performance.now();
    const run = await h.runTable('new_widget', new Date('2000-01-01T00:00:00Z'), new Date(Date.now() + 2 * 86_400_000), { timeoutMs: 3_600_000 }).done;
    const seconds = (performance.now() - started) / 1000;
    const shares: InstanceShare[] = extractors.map((e, k) => ({
      ...shareOf(e.logs),
      cpuSeconds: Number((processCpuSeconds(e.child.pid) - cpuBefore[k]!).toFixed(2)),
      peakRssMb: peakRssMb(e.child.pid),
    }));
    const cpuSeconds = shares.reduce((n, x) => n + x.cpuSeconds, 0);
    const count = run.completed.reduce((n, c) => n + c.count, 0);
    if (count < rows) throw new Error(`expected ${rows} records, the windows reported ${count}`);
    return {
      rows,
      compression: o.compression,
      lookupNames: o.lookupNames,
      seconds: Number(seconds.toFixed(2)),
      rowsPerSec: Math.round(rows / seconds),
      peakRssMb: Math.max(...shares.map((x) => x.peakRssMb)),
      cpuSeconds: Number(cpuSeconds.toFixed(2)),
      cpuMicrosPerRow: Number(((cpuSeconds * 1e6) / rows).toFixed(1)),
      windows: run.completed.length,
      splits: run.splits,
      ...(shares.length > 1 ? { instances: shares } : {}),
    };
  } finally {
    // the profile is written on a clean exit
    await Promise.all(extractors.map((e) => e.kill(o.cpuProfDir === undefined ? 'SIGKILL' : 'SIGTERM')));
    if (o.cpuProfDir !== undefined) writeFileSync(join(o.cpuProfDir, 'extractor-log.ndjson'), extractors.flatMap((e) => e.logs.map((l) => JSON.stringify(l))).join('\n') + '\n');
    await h.close();
  }
}

/** Two extractors in one group on the same table: both must take windows (scale-out), and the rate of the pair. */
export interface ExtractScaling {
  readonly instances: readonly InstanceShare[];
  readonly rowsPerSec: number;
  readonly cpuMicrosPerRow: number;
  /** The pair's rate over one extractor's in the same `npm run bench`. */
  readonly speedup: number;
  /** Every instance completed windows with rows. */
  readonly ok: boolean;
}

/**
 * Runs the raw simulator benchmark (at the same latency) and the extractor on `rows` rows, once per compression and
 * lookup-name setting (default: no compression, no lookup names, i.e. the same payload as the raw loop plus
 * `lookuplogicalname`); with `scaling`, then two extractors in one group on a fresh simulator of the same rows.
 */
export async function benchExtract({
  rows = 100_000,
  compressions = ['none'],
  lookupNames = [false],
  cpuProfDir,
  env,
  latencyMs = 0,
  scaling = false,
}: { rows?: number; compressions?: string[]; lookupNames?: boolean[]; cpuProfDir?: string; env?: Record<string, string>; latencyMs?: number; scaling?: boolean } = {}): Promise<ExtractBench> {
  const raw = await benchSimulator(rows, [], latencyMs);
  const runs: ExtractRun[] = [];
  for (const names of lookupNames) for (const c of compressions) runs.push(await measure(rows, { compression: c, lookupNames: names, cpuProfDir, env, latencyMs }));
  const best = runs.reduce((a, b) => (b.rowsPerSec > a.rowsPerSec ? b : a));
  const extract = { rowsPerSec: best.rowsPerSec, peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)), cpuMicrosPerRow: best.cpuMicrosPerRow, latencyMs };
  if (!scaling) return { simulatorRaw: raw.simulatorRaw, extract, runs };
  const pair = await measure(rows, { compression: compressions[0]!, lookupNames: lookupNames[0]!, env, latencyMs, instances: 2 });
  const instances = pair.instances ?? [];
  return {
    simulatorRaw: raw.simulatorRaw,
    extract,
    runs: [...runs, pair],
    scaling: {
      instances,
      rowsPerSec: pair.rowsPerSec,
      cpuMicrosPerRow: pair.cpuMicrosPerRow,
      speedup: Number((pair.rowsPerSec / best.rowsPerSec).toFixed(2)),
      ok: instances.length === 2 && instances.every((x) => x.windows > 0),
    },
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: { rows: { type: 'string', default: '100000' }, compression: { type: 'string', default: 'none' }, 'lookup-names': { type: 'string', default: 'false' }, 'cpu-prof': { type: 'string' }, env: { type: 'string', multiple: true }, 'latency-ms': { type: 'string', default: '0' }, scaling: { type: 'boolean', default: false } },
  });
  const both = <T,>(v: string, a: T, b: T, parse: (s: string) => T): T[] => (v === 'both' ? [a, b] : [parse(v)]);
  const compressions = both(values.compression, 'none', 'gzip', (s) => s);
  const lookupNames = both(values['lookup-names'], false, true, (s) => s === 'true');
  const result = await benchExtract({ rows: Number(values.rows), compressions, lookupNames, cpuProfDir: values['cpu-prof'], env: Object.fromEntries((values.env ?? []).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])), latencyMs: Number(values['latency-ms']), scaling: values.scaling });
  console.log(`simulator raw: ${result.simulatorRaw.rowsPerSec} rows/s`);
  console.table(result.runs.map(({ instances, ...r }) => ({ ...r, instances: instances?.map((x) => `${x.windows} windows, ${x.rows} rows`).join(' | ') ?? 1, 'of raw': `${Math.round((100 * r.rowsPerSec) / result.simulatorRaw.rowsPerSec)}%` })));
  console.log(JSON.stringify({ simulatorRaw: result.simulatorRaw, extract: result.extract, scaling: result.scaling }));
  process.exit(0);
}
