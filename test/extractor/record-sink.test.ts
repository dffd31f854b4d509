/**
 * The extractor's record sink on the real broker: a full page of small records with the record headers, sent to a
 * table topic of one partition, where the whole produce request is one record batch. The request is bounded by the
 * records' bytes with their headers, not by keys and values alone (a 2,000-row page of ~250-byte values carries
 * ~700 KB of headers: counted without them the batch passes the broker's 1 MiB limit, MESSAGE_TOO_LARGE).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeRecordHeaders } from '../../services/contracts/record-headers.ts';
import { WindowProgress } from '../../services/extractor/core/window-progress.ts';
import { RecordSink, type OutgoingRecord } from '../../services/extractor/record-sink.ts';
import { ensureTopics } from '../../services/shared/kafka-topics.ts';
import { tableTopicSpec } from '../../services/shared/topics.ts';
import { connectedKafka, uniqueName } from '../support/servers.ts';

/** A page of `n` records as the extractor builds them: GUID keys, Avro-sized values, the six record headers. */
function page(n: number, taskId: string): OutgoingRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    key: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    value: Buffer.alloc(250, i % 251),
    headers: encodeRecordHeaders({ runId: 'conn-full-20261203T000000Z-abc123', taskId, syncKind: 'full', runStartMs: Date.UTC(2026, 11, 3), modifiedOnMs: Date.UTC(2026, 0, 1) + i, version: 1_000_000n + BigInt(i) }),
  }));
}

describe('RecordSink on a one-partition table topic', () => {
  let k: Awaited<ReturnType<typeof connectedKafka>>;

  beforeAll(async () => {
    k = await connectedKafka();
  });

  afterAll(async () => {
    await k?.close();
  });

  it('sends a 2,000-record page with its headers in batches the broker accepts, and reports every offset', async () => {
    const topic = `dynamics.${uniqueName('sinkone')}.account`;
    const { admin, producer } = k;
    await ensureTopics(admin, [tableTopicSpec(topic, 1)]);
    const taskId = `conn-full-20261203T000000Z-abc123/${'new_customtable'.repeat(3)}/17530101T000000Z_20261203T000000Z`;
    const records = page(2000, taskId);
    const headerBytes = records.reduce((n, r) => n + Object.entries(r.headers).reduce((m, [k, v]) => m + k.length + v.length, 0), 0);
    const payloadBytes = records.reduce((n, r) => n + r.key.length + r.value!.length, 0);
    expect(payloadBytes).toBeLessThan(900_000); // one request by key and value alone ...
    expect(payloadBytes + headerBytes).toBeGreaterThan(1_048_576); // ... but larger than the broker's limit with headers

    const sink = new RecordSink(producer, { compression: 'none', maxBatchBytes: 900_000, maxBatchCount: 2000 });
    const progress = new WindowProgress();
    await sink.send(topic, 1, records, progress);

    expect(progress.count).toBe(2000);
    expect(progress.offsets()).toEqual([{ partition: 0, offset: 2000 }]);
    const ends = await admin.fetchTopicOffsets(topic);
    expect(ends).toEqual([expect.objectContaining({ partition: 0, high: '2000' })]);
    await admin.deleteTopics({ topics: [topic] });
  });
});
