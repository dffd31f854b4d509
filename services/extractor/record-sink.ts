/**
 * Produces a page's records to a table topic with the shared idempotent producer, acks from all in-sync replicas,
 * in requests bounded by count and bytes (core/produce-chunks.ts), and reports per partition the offsets Kafka
 * acknowledged. Partitions are chosen here with the murmur2 partitioner of the Java client and kafkajs
 * (core/murmur2.ts), so the placement is what any Kafka client would pick for the key, and we know how many records
 * each partition got.
 */
import { CompressionTypes } from 'kafkajs';
import type { MessageSender } from '../shared/healing-producer.ts';
import { isSyncError, kafkaSyncError } from '../shared/errors.ts';
import { keyPartition } from '../shared/key-partition.ts';
import { produceChunks, recordBytes } from './core/produce-chunks.ts';
import type { WindowProgress } from './core/window-progress.ts';

/** One table record (a null value is a tombstone); it is the producer's message itself, no copy is made. */
export interface OutgoingRecord {
  key: string;
  value: Buffer | null;
  headers: Record<string, Buffer | string>;
  /** The partition of `key` (murmur2); `send` sets it when absent. */
  partition?: number;
}

/** Settings of a {@link RecordSink}. */
export interface RecordSinkOptions {
  compression: 'none' | 'gzip';
  maxBatchBytes: number;
  maxBatchCount: number;
  /** Called with each produce request's latency. */
  observe?: (seconds: number) => void;
}

const CODECS = { none: CompressionTypes.None, gzip: CompressionTypes.GZIP } as const;

/** Writes table records and tracks their offsets. */
export class RecordSink {
  private readonly producer: MessageSender;
  private readonly opts: RecordSinkOptions;

  constructor(producer: MessageSender, opts: RecordSinkOptions) {
    this.producer = producer;
    this.opts = opts;
  }

  /**
   * Sends `records` to `topic` and resolves once Kafka acknowledged all of them (acks -1), after recording each
   * partition's end offset in `progress`; sets each record's `partition` when absent. Failures are KAFKA_UNAVAILABLE
   * (transient: the task is re-run) or KAFKA_FAILED (the send can never succeed, kafka-errors.ts); a broken
   * producer is replaced by the producer itself.
   */
  async send(topic: string, partitions: number, records: readonly OutgoingRecord[], progress: WindowProgress): Promise<void> {
    const chunks = produceChunks(records, recordBytes, this.opts.maxBatchBytes, this.opts.maxBatchCount);
    await Promise.all(chunks.map((chunk) => this.sendChunk(topic, partitions, chunk, progress)));
  }

  private async sendChunk(topic: string, partitions: number, chunk: readonly OutgoingRecord[], progress: WindowProgress): Promise<void> {
    const perPartition = new Map<number, number>();
    for (const r of chunk) {
      const partition = (r.partition ??= keyPartition(r.key, partitions));
      perPartition.set(partition, (perPartition.get(partition) ?? 0) + 1);
    }
    const messages = chunk as (OutgoingRecord & { partition: number })[];
    const started = performance.now();
    let results;
    try {
      results = await this.producer.send({ topic, acks: -1, compression: CODECS[this.opts.compression], messages });
    } catch (err) {
      throw isSyncError(err) ? err : kafkaSyncError(err, topic);
    }
    this.opts.observe?.((performance.now() - started) / 1000);
    for (const r of results) progress.acknowledged(r.partition, Number(r.baseOffset ?? r.offset ?? 0), perPartition.get(r.partition) ?? 0);
  }
}
