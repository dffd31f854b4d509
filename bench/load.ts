/**
 * Loader benchmark: N `new_widget` records produced to a fresh `dynamics.<connection>.new_widget` topic exactly as
 * the extractor produces them (bench/widget-records.ts), then the loader as a child process
 * (`services/loader/main.ts`, its topic pattern restricted to that topic, its own group, ops port 0), timed from
 * spawn until its metrics report N records written; the collection must then hold exactly N documents. Peak RSS is
 * the child's VmHWM from /proc. Unique names; nothing is dropped.
 *
 *   npx node bench/load.ts --rows 100000
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { MongoClient } from 'mongodb';
import { eventually, startService } from '../harness/service-process.ts';
import { avroLogicalTypes } from '../services/dataverse/mapping/logical-types.ts';
import { createKafka } from '../services/shared/kafka.ts';
import { createRegistry } from '../services/shared/registry.ts';
import { benchServers, type BenchServers } from './servers.ts';
import { benchConnection, produceWidgetTopic } from './widget-records.ts';

/** The result merged into `npm run bench`. */
export interface LoadBench {
  readonly load: { readonly rowsPerSec: number; readonly peakRssMb: number };
  readonly rows: number;
  readonly seconds: number;
  readonly topic: string;
  /** Producing the records beforehand (not part of the measurement). */
  readonly produceSeconds: number;
}

/** The child's VmHWM in MB, or 0 once it has exited. */
function peakRssMb(pid: number | undefined): number {
  try {
    return Math.round(Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);
  } catch {
    return 0;
  }
}

/** The loader's `dynsync_loader_records_total{outcome="written"}`, summed over tables. */
function appliedRecords(metricsText: string): number {
  let n = 0;
  for (const m of metricsText.matchAll(/^dynsync_loader_records_total\{[^}]*outcome="written"[^}]*\} (\d+)/gm)) n += Number(m[1]);
  return n;
}

/** Produces `rows` records, then times the loader until it reports them all written, and checks the collection. */
export async function benchLoad(rows = 100_000, servers: BenchServers = benchServers()): Promise<LoadBench> {
  const connection = benchConnection('benchload');
  const kafka = createKafka(`${connection}-producer`, servers.brokers, undefined, servers.kafka.client);
  const registry = createRegistry(servers.registry, { logicalTypes: avroLogicalTypes });
  const produced = await produceWidgetTopic(kafka, registry, connection, rows);
  if (produced.produced !== rows) throw new Error(`expected ${rows} records, produced ${produced.produced}`);
  const mongo = await new MongoClient(servers.mongoUri, { serverSelectionTimeoutMS: 30_000 }).connect();
  const coll = mongo.db(`dynsync_${connection}`).collection('new_widget');
  const started = performance.now();
  const loader = startService('loader', {
    ...servers.env,
    KAFKA_BROKERS: servers.brokers.join(','),
    SCHEMA_REGISTRY_URL: servers.registryUrl,
    MONGODB_URI: servers.mongoUri,
    LOADER_GROUP_ID: `${connection}-loader`,
    LOADER_TOPIC_PATTERN: `^${produced.topic.replace(/\./g, '\\.')}$`,
    LOADER_OPS_PORT: '0',
    LOG_LEVEL: 'info', // the ops port is read from an info line
  });
  let peak = 0;
  try {
    // progress from the loader's own counter, not from polling the collection
    const metrics = `http://127.0.0.1:${await loader.opsPort()}/metrics`;
    await eventually(async () => {
      peak = Math.max(peak, peakRssMb(loader.child.pid));
      if (loader.child.exitCode !== null) throw new Error(`the loader exited with ${loader.child.exitCode}`);
      return appliedRecords(await (await fetch(metrics)).text()) >= rows;
    }, 3_600_000, 250);
    const seconds = (performance.now() - started) / 1000;
    peak = Math.max(peak, peakRssMb(loader.child.pid));
    const stored = await coll.countDocuments(); // exact (estimatedDocumentCount is a statistics estimate on DocumentDB)
    if (stored !== rows) throw new Error(`the loader reported ${rows} records written, but the collection holds ${stored}`);
    return { load: { rowsPerSec: Math.round(rows / seconds), peakRssMb: peak }, rows, seconds: Number(seconds.toFixed(2)), topic: produced.topic, produceSeconds: Number(produced.seconds.toFixed(2)) };
  } finally {
    await loader.kill('SIGTERM');
    await mongo.close();
  }
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { rows: { type: 'string', default: '100000' } } });
  console.log(JSON.stringify(await benchLoad(Number(values.rows)), null, 2));
  process.exit(0);
}
