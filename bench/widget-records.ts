/**
 * Table records of the wide `new_widget` table (46 data columns, about 40 Avro fields after mapping), built exactly
 * as the extractor builds them: an in-process simulator, the product's DataverseClient, `discoverTable`,
 * `avroSchemaFor` registered under `<topic>-value`, `rowMapper` with the currency map, `recordKey`, `rowVersion`
 * and `encodeRecordHeaders` (the headers test/support/table-records.ts documents). Used by the store and load
 * benchmarks; the records go to a fresh topic (unique connection id) so nothing is shared or cleaned up.
 */
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { DataverseClient } from '../services/dataverse/client/dataverse-client.ts';
import { createHttpAgent, readCaCertificate } from '../services/dataverse/client/http-agent.ts';
import { discoverTable } from '../services/dataverse/discovery/discover.ts';
import { avroSchemaFor } from '../services/dataverse/mapping/avro-schema.ts';
import { recordKey, rowMapper } from '../services/dataverse/mapping/row-mapper.ts';
import type { TableDefinition } from '../services/dataverse/model/table-definition.ts';
import { parseOrgUrl } from '../services/dataverse/org/org-url.ts';
import { CURRENCIES_PATH, annotationsFor, currencyMap, selectList } from '../services/extractor/core/window-query.ts';
import { rowVersion } from '../services/extractor/core/row-version.ts';
import { createProducer } from '../services/shared/kafka.ts';
import { encodeRecordHeaders } from '../services/contracts/record-headers.ts';
import type { Registry } from '../services/shared/registry.ts';
import { tableTopicSpec } from '../services/shared/topics.ts';
import { startSimulator } from '../services/simulator/simulator.ts';
import { tableTopic } from '../services/contracts/topic-names.ts';
import { ensureTopics } from '../services/shared/kafka-topics.ts';

/** One encoded table record, as the extractor produces it. */
export interface WidgetRecord {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

/** Records of `new_widget` from a simulator of `rows` rows. */
export interface WidgetSource {
  table: TableDefinition;
  schemaId: number;
  /** Yields the records page by page (5,000 rows a page). */
  pages(): AsyncGenerator<WidgetRecord[]>;
  close(): Promise<void>;
}

/** A unique connection id for a benchmark run (a valid `dynamics.<connection>.<table>` segment). */
export const benchConnection = (prefix = 'bench'): string => `${prefix}${randomBytes(4).toString('hex')}`;

/** Starts a simulator with `rows` widget rows and prepares the extractor's mapping, registered for `topic`. */
export async function widgetSource(rows: number, registry: Registry, topic: string): Promise<WidgetSource> {
  const sim = await startSimulator({ port: 0, rows: 100, tableRows: { new_widget: rows }, logLevel: 'silent', stateDir: join(tmpdir(), 'dynsync-sim-bench-state'), limits: { requests: 1_000_000 } });
  const agent = createHttpAgent({ connections: 4, caPem: readCaCertificate(sim.caCertPath) });
  let token: string | undefined;
  const tokenProvider = {
    async getToken() {
      if (!token) {
        const res = await fetch(`${sim.authority}/oauth2/v2.0/token`, {
          method: 'POST',
          body: new URLSearchParams({ grant_type: 'client_credentials', client_id: sim.clientId, client_secret: sim.clientSecret, scope: `${sim.orgUrl}/.default` }),
          dispatcher: agent,
        } as RequestInit);
        token = ((await res.json()) as { access_token: string }).access_token;
      }
      return token;
    },
    invalidate() {
      token = undefined;
    },
  };
  const client = new DataverseClient({ org: parseOrgUrl(sim.orgUrl, { allowDevHosts: [sim.orgUrl] }), tokenProvider, dispatcher: agent });
  const table = await discoverTable(client, 'new_widget');
  const currencies = currencyMap(((await client.getJson(CURRENCIES_PATH)) as { value: Record<string, unknown>[] }).value);
  const mapper = rowMapper(table, currencies);
  const schemaId = await registry.register(`${topic}-value`, avroSchemaFor(table, { namespace: 'dynsync', connection: topic.split('.')[1] ?? 'bench' }));
  const base = { runId: 'run-bench', taskId: 'task-bench', syncKind: 'full' as const, runStartMs: Date.now() };
  return {
    table,
    schemaId,
    async *pages() {
      const path = `${table.entitySetName}?$select=${selectList(table).join(',')}`;
      for await (const page of client.pages(path, { maxPageSize: 5_000, annotations: annotationsFor(table, false) })) {
        const records: WidgetRecord[] = [];
        for (const row of page.rows as Record<string, unknown>[]) {
          const version = rowVersion(row, table.logicalName);
          records.push({ key: recordKey(table, row), value: await registry.encode(schemaId, mapper(row)), headers: encodeRecordHeaders({ ...base, modifiedOnMs: version.modifiedOnMs, version: BigInt(version.version) }) });
        }
        yield records;
      }
    },
    async close() {
      await agent.close();
      await sim.close();
    },
  };
}

/**
 * Produces `rows` widget records to a new topic `dynamics.<connection>.new_widget` (6 partitions, compacted, as the
 * extractor creates it) with the idempotent producer and `acks: -1`; returns the topic and how long producing took.
 */
export async function produceWidgetTopic(kafka: Kafka, registry: Registry, connection: string, rows: number): Promise<{ topic: string; produced: number; seconds: number }> {
  const topic = tableTopic(connection, 'new_widget');
  const admin = kafka.admin();
  await admin.connect();
  const producer = createProducer(kafka);
  await producer.connect();
  const source = await widgetSource(rows, registry, topic);
  const started = performance.now();
  let produced = 0;
  try {
    await ensureTopics(admin, [tableTopicSpec(topic, 6)]);
    for await (const records of source.pages()) {
      for (let i = 0; i < records.length; i += 1_000) await producer.send({ topic, acks: -1, messages: records.slice(i, i + 1_000) });
      produced += records.length;
    }
  } finally {
    await source.close();
    await producer.disconnect();
    await admin.disconnect();
  }
  return { topic, produced, seconds: (performance.now() - started) / 1000 };
}
