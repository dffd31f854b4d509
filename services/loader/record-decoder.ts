/**
 * Kafka message → {@link IncomingRecord}: headers validated, value decoded through the registry (writer schema
 * by id, cached) and converted to its MongoDB form by a converter compiled once per schema id. A null value is a
 * tombstone. Data problems throw RECORD_INVALID (the caller dead-letters the message); registry outages throw
 * REGISTRY_UNAVAILABLE (the caller retries the batch).
 */
import { hash } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import { TOMBSTONE_HASH } from '../contracts/stored-document.ts';
import { SyncError } from '../shared/errors.ts';
import { decodeRecordHeaders } from '../contracts/record-headers.ts';
import type { Registry } from '../shared/registry.ts';
import { compileConverter, type Converter } from './core/to-document.ts';
import type { IncomingRecord } from './core/upsert-plan.ts';

/**
 * The content hash of a record value as produced: the Confluent wire format carries the schema id, so a schema change
 * (a column added or removed) changes the hash as a changed value does. 128 bits of SHA-256, base64url.
 */
export function contentHash(value: Buffer): string {
  // one-shot hash: no Hash object per record
  return (hash('sha256', value, 'buffer') as unknown as Buffer).subarray(0, 16).toString('base64url');
}

/** Decodes messages of table topics. */
export interface RecordDecoder {
  decode(topic: string, partition: number, message: KafkaMessage): Promise<IncomingRecord>;
}

/** Creates a decoder on `registry` (whose avsc options must include our logical types). */
export function createRecordDecoder(registry: Registry): RecordDecoder {
  const converters = new Map<number, Converter>();
  async function converterFor(schemaId: number): Promise<Converter> {
    let c = converters.get(schemaId);
    if (!c) {
      const type = await registry.client.getSchema(schemaId);
      c = compileConverter(type as unknown as Parameters<typeof compileConverter>[0]);
      converters.set(schemaId, c);
    }
    return c;
  }
  return {
    async decode(topic, partition, message) {
      const id = message.key?.toString();
      if (!id) throw new SyncError('RECORD_INVALID', `record at ${topic}/${partition}@${message.offset} has no key (record id)`);
      const h = decodeRecordHeaders(message.headers);
      let fields: Record<string, unknown> | null = null;
      let hash = TOMBSTONE_HASH;
      if (message.value !== null && message.value.length > 0) {
        hash = contentHash(message.value);
        const value = await registry.decode(message.value);
        const convert = await converterFor(message.value.readInt32BE(1));
        fields = convert(value) as Record<string, unknown>;
      }
      return {
        id,
        version: h.version,
        modifiedOnMs: h.modifiedOnMs,
        runStartMs: h.runStartMs,
        hash,
        fields,
        meta: { runId: h.runId, taskId: h.taskId, syncKind: h.syncKind, topic, partition, offset: message.offset },
      };
    },
  };
}
