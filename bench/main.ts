/**
 * `npm run bench [-- --only <stage>[,<stage>] --rows <n> --latency-ms <n>]`: the project benchmark. Stages (default:
 * all, 100,000 rows): `simulatorRaw` (bench/simulator.ts), `extract` (bench/extract.ts, which also measures
 * simulatorRaw, the extractor's CPU per row, and then two extractors in one group: `extractScaling`), `floor`
 * (bench/floor.ts: the CPU per row of only parsing and Avro-encoding the same pages), `storeRaw` (bench/store.ts),
 * `load` (bench/load.ts) and `e2e` (bench/e2e.ts: full sync, incremental with 0.1 % changes, each service's peak
 * memory, 2+2 instances against 1+1; `--no-scaling` skips the last and the two extractors) and `manyTables`
 * (bench/many-tables.ts: `--tables` generated tables of 0 to `--max-rows` rows, default 500 and 2,000: full sync and an
 * incremental with no change, seconds, Dataverse requests, extractor CPU per task and row). `--latency-ms` makes the
 * simulators of simulatorRaw and extract answer that much later (a remote Dataverse). Uses KAFKA_BROKERS / SCHEMA_REGISTRY_URL / MONGODB_URI
 * when set, else brings the local stack up. Writes `bench-results/latest.json` (and a timestamped copy) with the
 * machine and one object per stage, its chart `bench-results/latest.svg` (bench/chart.ts; also timestamped), and
 * prints a table. Every stage uses unique names and drops nothing.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { describeMachine, renderChartSvg, type BenchResults } from './chart.ts';
import { benchE2e } from './e2e.ts';
import type { RefreshBench } from './refresh.ts';
import { benchExtract } from './extract.ts';
import { benchFloor } from './floor.ts';
import { benchLoad } from './load.ts';
import { benchManyTables } from './many-tables.ts';
import { benchSimulator } from './simulator.ts';
import { ensureServers } from './servers.ts';
import { benchStore } from './store.ts';

const STAGES = ['simulatorRaw', 'extract', 'floor', 'storeRaw', 'load', 'e2e', 'manyTables'] as const;
type Stage = (typeof STAGES)[number];

/** The machine the numbers were taken on. */
function machine() {
  const list = cpus();
  return { cpuModel: list[0]?.model ?? 'unknown', cores: list.length, memoryGb: Number((totalmem() / 2 ** 30).toFixed(1)), node: process.version, platform: `${process.platform}-${process.arch}` };
}

function parseStages(only: string | undefined): Stage[] {
  if (!only) return [...STAGES];
  const picked = only.split(',').map((s) => s.trim());
  for (const s of picked) if (!(STAGES as readonly string[]).includes(s)) throw new Error(`unknown stage "${s}" (stages: ${STAGES.join(', ')})`);
  return picked as Stage[];
}

const { values } = parseArgs({ options: { only: { type: 'string' }, rows: { type: 'string', default: '100000' }, 'no-scaling': { type: 'boolean', default: false }, 'latency-ms': { type: 'string', default: '0' },
  tables: { type: 'string', default: '500' }, 'max-rows': { type: 'string', default: '2000' } } });
const rows = Number(values.rows);
if (!Number.isInteger(rows) || rows <= 0) throw new Error(`--rows must be a positive integer, got ${values.rows}`);
const latencyMs = Number(values['latency-ms']);
if (!Number.isInteger(latencyMs) || latencyMs < 0) throw new Error(`--latency-ms must be a non-negative integer, got ${values['latency-ms']}`);
const manyTables = Number(values.tables);
const maxRows = Number(values['max-rows']);
if (!Number.isInteger(manyTables) || manyTables <= 0 || manyTables > 999) throw new Error(`--tables must be an integer from 1 to 999, got ${values.tables}`);
if (!Number.isInteger(maxRows) || maxRows < 0) throw new Error(`--max-rows must be a non-negative integer, got ${values['max-rows']}`);
const stages = parseStages(values.only);

const servers = stages.some((s) => s !== 'simulatorRaw' && s !== 'floor') ? await ensureServers() : undefined;
if (servers) {
  // children (extractor, loader) inherit these, with the Kafka and registry credentials
  Object.assign(process.env, servers.env);
}

const result: Record<string, unknown> = { at: new Date().toISOString(), rows, ...(latencyMs > 0 ? { latencyMs } : {}), machine: machine() };
const details: Record<string, unknown> = {};
const table: Record<string, string | number>[] = [];
const say = (line: string) => process.stderr.write(`bench: ${line}\n`);

// extract measures simulatorRaw too (its reference): run it first so the simulator is not paged twice
const order = stages.includes('extract') ? ['extract' as const, ...stages.filter((s) => s !== 'extract')] : stages;
for (const stage of order) {
  say(`${stage} at ${rows} rows…`);
  const t0 = performance.now();
  switch (stage) {
    case 'simulatorRaw': {
      if (result.simulatorRaw) break; // already measured by the extract stage
      const r = await benchSimulator(rows, [], latencyMs);
      result.simulatorRaw = r.simulatorRaw;
      details.simulator = r.runs;
      break;
    }
    case 'extract': {
      const r = await benchExtract({ rows, latencyMs, scaling: !values['no-scaling'] });
      result.simulatorRaw ??= r.simulatorRaw;
      result.extract = r.extract;
      if (r.scaling) result.extractScaling = r.scaling;
      details.extract = r.runs;
      break;
    }
    case 'floor': {
      result.floor = (await benchFloor(rows)).floor;
      break;
    }
    case 'storeRaw': {
      const r = await benchStore(rows, 500, servers);
      result.storeRaw = r.storeRaw;
      details.storeRaw = { docs: r.docs, batch: r.batch, fieldsPerDoc: r.fieldsPerDoc, seconds: r.seconds, server: r.server };
      break;
    }
    case 'load': {
      const r = await benchLoad(rows, servers);
      result.load = r.load;
      details.load = { rows: r.rows, seconds: r.seconds, topic: r.topic, produceSeconds: r.produceSeconds };
      break;
    }
    case 'e2e': {
      const r = await benchE2e(rows, { scaling: !values['no-scaling'], servers: servers!, say });
      result.e2e = r.e2e;
      result.incremental = r.incremental;
      if (r.refresh) result.refresh = r.refresh;
      result.peakRssMb = r.peakRssMb;
      if (r.scaling) result.scaling = r.scaling;
      break;
    }
    case 'manyTables': {
      result.manyTables = await benchManyTables({ tables: manyTables, maxRows, servers: servers!, say });
      break;
    }
  }
  say(`${stage} done in ${((performance.now() - t0) / 1000).toFixed(1)}s`);
}
result.details = details;

for (const stage of STAGES) {
  const r = result[stage] as Record<string, number> | undefined;
  if (!r) continue;
  table.push({ stage, rows, 'rows/s or docs/s': r.rowsPerSec ?? r.docsPerSec ?? '', 'CPU µs/row': r.cpuMicrosPerRow ?? '', 'peak RSS MB': r.peakRssMb ?? '', seconds: r.seconds ?? '' });
}
const xs = result.extractScaling as { rowsPerSec: number; cpuMicrosPerRow: number; instances: { windows: number; rows: number; peakRssMb: number }[] } | undefined;
if (xs) {
  const shares = xs.instances.map((x) => `${x.windows} windows / ${x.rows} rows`).join(' + ');
  table.push({ stage: `extract, 2 instances (${shares})`, rows, 'rows/s or docs/s': xs.rowsPerSec, 'CPU µs/row': xs.cpuMicrosPerRow, 'peak RSS MB': Math.max(...xs.instances.map((x) => x.peakRssMb)), seconds: '' });
}
const inc = result.incremental as { seconds: number; changed: number } | undefined;
if (inc) table.push({ stage: 'incremental', rows: inc.changed, 'rows/s or docs/s': '', 'peak RSS MB': '', seconds: inc.seconds });
const rf = result.refresh as RefreshBench | undefined;
for (const [name, r] of rf ? ([['refresh, no change', rf.noChange], [`refresh, ${rf.changed.updated} updated + ${rf.changed.deleted} deleted`, rf.changed]] as const) : []) {
  table.push({ stage: `${name}: written ${r.written}, unchanged ${r.unchanged}, tombstoned ${r.tombstoned}; extracted ${r.extractedSeconds} s, loaded ${r.loadedSeconds} s, reconciled in ${r.reconcileSeconds} s${r.ok ? '' : ' NOT EQUAL'}`, rows, 'rows/s or docs/s': '', 'CPU µs/row': '', 'peak RSS MB': '', seconds: r.seconds });
}
const sc = result.scaling as { twoEachSeconds: number; speedup: number } | undefined;
if (sc) table.push({ stage: 'e2e 2+2 instances', rows, 'rows/s or docs/s': Math.round(rows / sc.twoEachSeconds), 'peak RSS MB': '', seconds: sc.twoEachSeconds });
const mt = result.manyTables as Awaited<ReturnType<typeof benchManyTables>> | undefined;
if (mt) {
  const f = mt.full;
  table.push({ stage: `manyTables full: ${mt.tables} tables, extracted ${f.extractedSeconds} s, ${f.requests} requests (${f.throttled} throttled), ${f.tasks} tasks, ${f.cpuMillisPerTask} ms CPU/task${f.ok ? '' : ' NOT EQUAL'}`, rows: mt.rows, 'rows/s or docs/s': '', 'CPU µs/row': f.cpuMicrosPerRow, 'peak RSS MB': Math.max(...Object.values(mt.peakRssMb)), seconds: f.loadedSeconds });
  const i = mt.incremental;
  table.push({ stage: `manyTables incremental, no change: ${i.requests} requests, ${i.tasks} tasks`, rows: i.records, 'rows/s or docs/s': '', 'CPU µs/row': '', 'peak RSS MB': '', seconds: i.loadedSeconds });
}
for (const [service, mb] of Object.entries((result.peakRssMb as Record<string, number> | undefined) ?? {})) {
  table.push({ stage: `peak RSS ${service} (e2e)`, rows, 'rows/s or docs/s': '', 'peak RSS MB': mb, seconds: '' });
}

mkdirSync('bench-results', { recursive: true });
const json = JSON.stringify(result, null, 2);
const stamped = `bench-results/${String(result.at).replace(/[:.]/g, '-')}`;
writeFileSync('bench-results/latest.json', json + '\n');
writeFileSync(`${stamped}.json`, json + '\n');
const svg = await renderChartSvg(result as unknown as BenchResults);
writeFileSync('bench-results/latest.svg', svg);
writeFileSync(`${stamped}.svg`, svg);
console.log(describeMachine(result.machine as ReturnType<typeof machine>));
console.table(table);
console.log('written to bench-results/latest.json, chart: bench-results/latest.svg');
process.exit(0);
