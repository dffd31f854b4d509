/**
 * Extractor benchmark: the simulator's raw page rate (bench/simulator.ts, a plain fetch loop) and the extractor
 * (a child process, as deployed) on the same `new_widget` table of N rows: one task covering the whole table,
 * split adaptively by the extractor, every record produced to Kafka and acknowledged. The extractor's group starts
 * at the end of sync.tasks (as a caught-up group), not behind the tasks of earlier runs. Reports rows/s, the ratio
 * to raw, and the extractor's peak RSS (VmHWM from /proc). Needs the local servers (`npm run infra:up`).
 *
 *   npx node bench/extract.ts --rows 100000 [--compression none|gzip|both] [--lookup-names false|true|both]
 *     [--cpu-prof <dir>]   (V8 CPU profile of the extractor process, written on a SIGTERM exit)
 *     [--env NAME=value]…  (extra extractor settings, e.g. --env DATAVERSE_PAGE_SIZE=1000)
 *     [--latency-ms <n>]   (the simulator answers every request n ms late, like a remote Dataverse; the raw rate
 *                           is still measured without it)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Agent, fetch as undiciFetch } from 'undici';
import { startExtractHarness } from '../test/extractor/extract-harness.ts';
import { eventually, startService } from '../infra/demo/service-process.ts';
import { createKafka, ensureTopics } from '../services/shared/kafka.ts';
import { TASKS_TOPIC, controlTopics } from '../services/shared/topics.ts';
import { benchSimulator } from './simulator.ts';

/** One extractor measurement. */
export interface ExtractRun {
  readonly rows: number;
  readonly compression: string;
  readonly lookupNames: boolean;
  readonly seconds: number;
  readonly rowsPerSec: number;
  readonly peakRssMb: number;
  readonly windows: number;
  readonly splits: number;
}

/** The result merged into `npm run bench`. */
export interface ExtractBench {
  readonly simulatorRaw: { readonly rowsPerSec: number };
  readonly extract: { readonly rowsPerSec: number; readonly peakRssMb: number };
  readonly runs: readonly ExtractRun[];
}

const servers = () => ({
  brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
  registryUrl: process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8080/apis/ccompat/v7',
  mongoUri: process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017/?directConnection=true',
});

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
  const admin = createKafka('bench-extract', servers().brokers).admin();
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

async function measure(rows: number, compression: string, lookupNames: boolean, cpuProfDir?: string, extraEnv: Record<string, string> = {}, latencyMs = 0): Promise<ExtractRun> {
  const h = await startExtractHarness(servers(), { rows: 100, tableRows: { new_widget: rows }, limits: { requests: 1_000_000 } });
  if (latencyMs > 0) await simulatorLatency(h.sim.controlUrl, h.sim.caCertPath, latencyMs);
  const nodeOptions = cpuProfDir === undefined ? EXTRACTOR_NODE_OPTIONS : `${EXTRACTOR_NODE_OPTIONS} --cpu-prof --cpu-prof-dir=${cpuProfDir}`;
  const env = h.extractorEnv({ EXTRACTOR_COMPRESSION: compression, EXTRACTOR_LOOKUP_NAMES: String(lookupNames), NODE_OPTIONS: nodeOptions, ...extraEnv });
  await startAtEnd(env.EXTRACTOR_GROUP_ID!);
  const extractor = startService('extractor', env);
  try {
    const port = await extractor.opsPort();
    await eventually(async () => (await fetch(`http://127.0.0.1:${port}/health/ready`)).ok, 60_000);
    const started = performance.now();
    const run = await h.runTable('new_widget', new Date('2000-01-01T00:00:00Z'), new Date(Date.now() + 2 * 86_400_000), { timeoutMs: 3_600_000 }).done;
    const seconds = (performance.now() - started) / 1000;
    const count = run.completed.reduce((n, c) => n + c.count, 0);
    if (count < rows) throw new Error(`expected ${rows} records, the windows reported ${count}`);
    return { rows, compression, lookupNames, seconds: Number(seconds.toFixed(2)), rowsPerSec: Math.round(rows / seconds), peakRssMb: peakRssMb(extractor.child.pid), windows: run.completed.length, splits: run.splits };
  } finally {
    await extractor.kill(cpuProfDir === undefined ? 'SIGKILL' : 'SIGTERM'); // the profile is written on a clean exit
    if (cpuProfDir !== undefined) writeFileSync(join(cpuProfDir, 'extractor-log.ndjson'), extractor.logs.map((l) => JSON.stringify(l)).join('\n') + '\n');
    await h.close();
  }
}

/**
 * Runs the raw simulator benchmark and the extractor on `rows` rows, once per compression and lookup-name setting
 * (default: no compression, no lookup names, i.e. the same payload as the raw loop plus `lookuplogicalname`).
 */
export async function benchExtract({
  rows = 100_000,
  compressions = ['none'],
  lookupNames = [false],
  cpuProfDir,
  env,
  latencyMs,
}: { rows?: number; compressions?: string[]; lookupNames?: boolean[]; cpuProfDir?: string; env?: Record<string, string>; latencyMs?: number } = {}): Promise<ExtractBench> {
  const raw = await benchSimulator(rows);
  const runs: ExtractRun[] = [];
  for (const names of lookupNames) for (const c of compressions) runs.push(await measure(rows, c, names, cpuProfDir, env, latencyMs));
  const best = runs.reduce((a, b) => (b.rowsPerSec > a.rowsPerSec ? b : a));
  return { simulatorRaw: raw.simulatorRaw, extract: { rowsPerSec: best.rowsPerSec, peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)) }, runs };
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: { rows: { type: 'string', default: '100000' }, compression: { type: 'string', default: 'none' }, 'lookup-names': { type: 'string', default: 'false' }, 'cpu-prof': { type: 'string' }, env: { type: 'string', multiple: true }, 'latency-ms': { type: 'string', default: '0' } },
  });
  const both = <T,>(v: string, a: T, b: T, parse: (s: string) => T): T[] => (v === 'both' ? [a, b] : [parse(v)]);
  const compressions = both(values.compression, 'none', 'gzip', (s) => s);
  const lookupNames = both(values['lookup-names'], false, true, (s) => s === 'true');
  const result = await benchExtract({ rows: Number(values.rows), compressions, lookupNames, cpuProfDir: values['cpu-prof'], env: Object.fromEntries((values.env ?? []).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])), latencyMs: Number(values['latency-ms']) });
  console.log(`simulator raw: ${result.simulatorRaw.rowsPerSec} rows/s`);
  console.table(result.runs.map((r) => ({ ...r, 'of raw': `${Math.round((100 * r.rowsPerSec) / result.simulatorRaw.rowsPerSec)}%` })));
  console.log(JSON.stringify({ simulatorRaw: result.simulatorRaw, extract: result.extract }));
  process.exit(0);
}
