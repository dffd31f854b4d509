/**
 * Extractor CPU per stage, in one process and without servers: real pages of the wide `new_widget` table (an
 * in-process simulator, the extractor's `$select`, annotations and page size) go through each stage of a window
 * `rounds` times — cutting the page into rows (exact numbers), parsing each row, row version + record headers,
 * row mapping (the reused record), Avro wire encoding, and kafkajs's own encoding of the produce request (its
 * RecordBatch, as the producer builds it, no network) — and the time of each stage and of garbage collection is
 * reported per row, in CPU time (`process.cpuUsage`, so other processes on the machine do not count; garbage
 * collection is wall time). Shows where the extractor's CPU goes (its whole CPU per row is `bench/extract.ts`).
 *
 *   npx node --max-semi-space-size=8 bench/extract-cpu.ts [--pages 40] [--page-size 500] [--rounds 5]
 */
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { DataverseClient } from '../services/dataverse/client/dataverse-client.ts';
import { createHttpAgent, readCaCertificate } from '../services/dataverse/client/http-agent.ts';
import { discoverTable } from '../services/dataverse/discovery/discover.ts';
import { avroSchemaFor } from '../services/dataverse/mapping/avro-schema.ts';
import { splitCollection } from '../services/dataverse/mapping/parse-dataverse-json.ts';
import { rowMapper } from '../services/dataverse/mapping/row-mapper.ts';
import { WireRecordWriter } from '../services/dataverse/mapping/wire-record-writer.ts';
import { parseOrgUrl } from '../services/dataverse/org/org-url.ts';
import { CURRENCIES_PATH, annotationsFor, currencyMap, windowQuery } from '../services/extractor/core/window-query.ts';
import { rowVersion } from '../services/extractor/core/row-version.ts';
import { taskHeaders } from '../services/extractor/core/task-headers.ts';
import { buildODataHeaders } from '../services/dataverse/client/odata-headers.ts';
import { startSimulator } from '../services/simulator/simulator.ts';

// kafkajs's produce request (v3: what producer.send encodes before it goes out), without a network
type ProduceRequest = (args: { acks: number; timeout: number; topicData: unknown[] }) => { encode(): Promise<{ buffer: Buffer }> };
const produceRequest = createRequire(import.meta.url)('kafkajs/src/protocol/requests/produce/v3/request') as ProduceRequest;

const { values } = parseArgs({ options: { pages: { type: 'string', default: '40' }, 'page-size': { type: 'string', default: '500' }, rounds: { type: 'string', default: '5' } } });
const pageCount = Number(values.pages);
const pageSize = Number(values['page-size']);
const rounds = Number(values.rounds);

const sim = await startSimulator({ port: 0, rows: 100, tableRows: { new_widget: pageCount * pageSize }, logLevel: 'silent', stateDir: join(tmpdir(), 'dynsync-sim-bench-state'), limits: { requests: 1_000_000 } });
const agent = createHttpAgent({ connections: 2, caPem: readCaCertificate(sim.caCertPath) });
const tokenRes = await fetch(`${sim.authority}/oauth2/v2.0/token`, {
  method: 'POST',
  body: new URLSearchParams({ grant_type: 'client_credentials', client_id: sim.clientId, client_secret: sim.clientSecret, scope: `${sim.orgUrl}/.default` }),
  dispatcher: agent,
} as RequestInit);
const token = ((await tokenRes.json()) as { access_token: string }).access_token;
const client = new DataverseClient({ org: parseOrgUrl(sim.orgUrl, { allowDevHosts: [sim.orgUrl] }), tokenProvider: { getToken: async () => token, invalidate() {} }, dispatcher: agent });
const table = await discoverTable(client, 'new_widget');
const currencies = currencyMap(((await client.getJson(CURRENCIES_PATH)) as { value: Record<string, unknown>[] }).value);
const q = windowQuery(table, { fromMs: Date.UTC(1990, 0, 1), toMs: Date.UTC(2100, 0, 1) });
const texts: Buffer[] = [];
let url: string | undefined = `${sim.orgUrl}/api/data/v9.2/${q.path}`;
while (url && texts.length < pageCount) {
  const res = await fetch(url, { headers: buildODataHeaders(token, { maxPageSize: pageSize, annotations: annotationsFor(table, false) }), dispatcher: agent } as RequestInit);
  const body = Buffer.from(await res.arrayBuffer());
  texts.push(body);
  url = (JSON.parse(body.toString()) as { '@odata.nextLink'?: string })['@odata.nextLink'];
}
await agent.close();
await sim.close();

const mapper = rowMapper(table, currencies, { representation: 'wire', reuse: true });
const writer = new WireRecordWriter(avroSchemaFor(table, { namespace: 'dynsync', connection: 'bench' }), 1);
const headers = taskHeaders({ runId: '7d4c2a8e-1f3b-4c5d-9e6f-0a1b2c3d4e5f', taskId: '7d4c2a8e-1f3b-4c5d-9e6f-0a1b2c3d4e5f.1.0.1', syncKind: 'full', runStartMs: Date.now() });

/** CPU milliseconds of this process so far (user + system, all threads): robust to other processes on the machine. */
function now(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

const totals = { split: 0, parseRows: 0, versionHeaders: 0, map: 0, write: 0, kafkajs: 0 };
let gcMs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcMs += e.duration;
}).observe({ entryTypes: ['gc'] });
let rows = 0;
const started = now();
for (let r = 0; r < rounds; r++) {
  for (const text of texts) {
    let t = now();
    const split = splitCollection(text);
    totals.split += now() - t;
    t = now();
    const page = Array.from({ length: split.length }, (_, i) => split.row(i) as Record<string, unknown>);
    totals.parseRows += now() - t;
    t = now();
    const meta = page.map((row) => ({ key: String(row[table.primaryIdAttribute]).toLowerCase(), headers: headers(rowVersion(row, table.logicalName)) }));
    totals.versionHeaders += now() - t;
    // the record is reused, so mapping and writing alternate per row: map alone, then map + write
    t = now();
    for (const row of page) mapper(row);
    const mapOnly = now() - t;
    totals.map += mapOnly;
    t = now();
    const batch = writer.batch();
    const values = page.map((row) => batch.write(mapper(row)));
    totals.write += now() - t - mapOnly;
    t = now();
    // one request, six partitions, as the extractor spreads a page
    const partitions = Array.from({ length: 6 }, (_, p) => ({
      partition: p,
      firstSequence: 0,
      messages: meta.flatMap((m, i) => (i % 6 === p ? [{ key: m.key, value: values[i], headers: m.headers }] : [])),
    }));
    await produceRequest({ acks: -1, timeout: 30_000, topicData: [{ topic: 'dynamics.bench.new_widget', partitions }] }).encode();
    totals.kafkajs += now() - t;
    rows += page.length;
  }
}
const cpu = now() - started;
await new Promise((resolve) => setTimeout(resolve, 100)); // gc entries are delivered asynchronously
const us = (ms: number) => Number(((1000 * ms) / rows).toFixed(1));
console.log(`new_widget, ${rows} rows (${texts.length} pages × ${rounds} rounds), ${(texts.reduce((n, t) => n + t.length, 0) / texts.length / 1e6).toFixed(2)} MB per page`);
console.table({
  'µs per row': { ...Object.fromEntries(Object.entries(totals).map(([k, v]) => [k, us(v)])), 'all stages': us(cpu), 'of which GC': us(gcMs) },
});
console.log(`→ at most ${Math.round(rows / (cpu / 1000))} rows/s on one core`);
