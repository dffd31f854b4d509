/**
 * Loads one chunk of messages of one partition: decode, dead-letter the poison ones, plan guarded upserts,
 * write them. Resolves only when every message of the chunk is durable either in MongoDB or in `sync.dlq`;
 * the caller then commits the chunk's offsets (Invariant 3). Throws a retriable SyncError when a server is
 * unavailable (nothing is committed; the chunk is retried).
 */
import type { Db, Document } from 'mongodb';
import type { KafkaMessage } from 'kafkajs';
import type { MessageSender } from '../shared/healing-producer.ts';
import { isSyncError, toSyncError, type SyncError } from '../shared/errors.ts';
import { sendToDlq, type DeadLetter } from '../shared/dlq.ts';
import type { Clock } from '../shared/clock.ts';
import { destinationOf } from './core/table-topic.ts';
import { planUpserts, type IncomingRecord } from './core/upsert-plan.ts';
import type { RecordDecoder } from './record-decoder.ts';
import { classifyStoreError } from '../shared/store-errors.ts';
import { createStoreWriter, toLong, type StoreWriter } from './store-writer.ts';
import { ensureIndexes } from './indexes.ts';

/** What loading a chunk did. */
export interface ChunkOutcome {
  applied: number;
  stale: number;
  dead: number;
}

/** Dependencies of the chunk loader. */
export interface ChunkLoaderDeps {
  db: (name: string) => Db;
  decoder: RecordDecoder;
  dlqProducer: MessageSender;
  databasePrefix: string;
  clock: Clock;
}

/** Creates the chunk loader; writers and indexes are prepared once per collection. */
export function createChunkLoader(deps: ChunkLoaderDeps) {
  const writers = new Map<string, Promise<StoreWriter>>();
  const writerFor = (database: string, collection: string): Promise<StoreWriter> => {
    const key = `${database}/${collection}`;
    let w = writers.get(key);
    if (!w) {
      w = (async () => {
        const coll = deps.db(database).collection<Document>(collection);
        await ensureIndexes(coll).catch((err: unknown) => {
          throw classifyStoreError(err);
        });
        return createStoreWriter(coll);
      })();
      w.catch(() => writers.delete(key));
      writers.set(key, w);
    }
    return w;
  };

  return async function loadChunk(topic: string, partition: number, messages: readonly KafkaMessage[]): Promise<ChunkOutcome> {
    const dest = destinationOf(topic, deps.databasePrefix);
    const records: IncomingRecord[] = [];
    const dead: { letter: DeadLetter; error: SyncError }[] = [];
    for (const m of messages) {
      try {
        records.push(await deps.decoder.decode(topic, partition, m));
      } catch (err) {
        const e = toSyncError(err);
        if (e.retriable) throw e; // registry down: retry the chunk, commit nothing
        dead.push({ letter: { topic, partition, offset: m.offset, key: m.key, value: m.value, headers: m.headers }, error: e });
      }
    }
    // Invariant 6: poison records go to the DLQ (acknowledged) and the partition keeps flowing.
    await sendToDlq(deps.dlqProducer, 'loader', dead, deps.clock.nowMs());
    const writer = await writerFor(dest.database, dest.collection);
    try {
      const { applied, stale } = await writer.write(planUpserts(records, toLong));
      return { applied, stale, dead: dead.length };
    } catch (err) {
      if (isSyncError(err) && !err.retriable) {
        // a data problem in the store (e.g. a document over the size limit): write one by one, dead-letter the bad ones
        return writeOneByOne(writer, records, messages, topic, partition, dead.length);
      }
      throw err;
    }
  };

  async function writeOneByOne(
    writer: StoreWriter,
    records: readonly IncomingRecord[],
    messages: readonly KafkaMessage[],
    topic: string,
    partition: number,
    deadSoFar: number,
  ): Promise<ChunkOutcome> {
    const out: ChunkOutcome = { applied: 0, stale: 0, dead: deadSoFar };
    for (const r of records) {
      try {
        const o = await writer.write(planUpserts([r], toLong));
        out.applied += o.applied;
        out.stale += o.stale;
      } catch (err) {
        const e = toSyncError(err);
        if (e.retriable) throw e;
        const m = messages.find((x) => x.offset === r.meta.offset)!;
        await sendToDlq(deps.dlqProducer, 'loader', [{ letter: { topic, partition, offset: m.offset, key: m.key, value: m.value, headers: m.headers }, error: e }], deps.clock.nowMs());
        out.dead++;
      }
    }
    return out;
  }
}
