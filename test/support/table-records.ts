/**
 * Produces table records the way the extractor does (Avro in the Confluent wire format, key = record id, the
 * record headers), for loader tests that run before or without the extractor.
 */
import { encodeRecordHeaders } from '../../services/contracts/record-headers.ts';
import type { Registry } from '../../services/shared/registry.ts';
import type { HealingProducer } from '../../services/shared/healing-producer.ts';

/** A small table schema covering money, picklist and timestamps. */
export const testTableSchema = {
  type: 'record',
  name: 'account',
  namespace: 'dynsync.test',
  fields: [
    { name: 'accountid', type: 'string' },
    { name: 'name', type: ['null', 'string'], default: null },
    { name: 'versionnumber', type: ['null', 'long'], default: null },
    { name: 'modifiedon', type: ['null', { type: 'long', logicalType: 'timestamp-millis' }], default: null },
    {
      name: 'revenue',
      type: ['null', { type: 'record', name: 'Money', fields: [
        { name: 'value', type: { type: 'bytes', logicalType: 'decimal', precision: 38, scale: 4 } },
        { name: 'currency', type: ['null', 'string'], default: null },
      ] }],
      default: null,
    },
  ],
};

/** One version of one test record. */
export interface TestRecord {
  id: string;
  version: number;
  name?: string;
  deleted?: boolean;
}

export const BASE_MS = Date.UTC(2026, 0, 1);

/** The Kafka message of a test record (null value for a deletion). */
export async function toMessage(registry: Registry, schemaId: number, r: TestRecord, runStartMs = BASE_MS) {
  const modifiedOnMs = BASE_MS + r.version * 1000;
  const value = r.deleted
    ? null
    : await registry.encode(schemaId, {
        accountid: r.id,
        name: r.name ?? `${r.id} v${r.version}`,
        versionnumber: r.version,
        modifiedon: new Date(modifiedOnMs),
        revenue: { value: `${r.version}.0001`, currency: 'EUR' },
      });
  return {
    key: r.id,
    value,
    headers: encodeRecordHeaders({ runId: 'run-test', taskId: 'task-test', syncKind: 'full', runStartMs, modifiedOnMs, version: BigInt(r.version) }),
  };
}

/** Produces `records` to `topic` in batches, with acks from all replicas. */
export async function produceRecords(producer: HealingProducer, registry: Registry, schemaId: number, topic: string, records: readonly TestRecord[], batch = 2000): Promise<void> {
  for (let i = 0; i < records.length; i += batch) {
    const messages = await Promise.all(records.slice(i, i + batch).map((r) => toMessage(registry, schemaId, r)));
    await producer.send({ topic, acks: -1, messages });
  }
}
