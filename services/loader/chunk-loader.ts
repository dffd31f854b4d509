/**
 * Loads one chunk of messages of one partition: decode, dead-letter the poison ones, plan guarded upserts, write
 * what wins (store-writer.ts), and add the chunk's counts per run and table to `run_loads` in the state DB.
 * Resolves only when every message of the chunk is durable either in MongoDB or in `sync.dlq`; the caller then
 * commits the chunk's offsets (Invariant 3). Throws a retriable SyncError when a server is unavailable (nothing is
 * committed; the chunk is retried).
 */
import type { Db, Document } from 'mongodb';
import type { KafkaMessage } from 'kafkajs';
import type { MessageSender } from '../shared/healing-producer.ts';
import { isSyncError, toSyncError, type SyncError } from '../shared/errors.ts';
import { deadLetterOf, sendToDlq, type DeadLetter } from '../shared/dlq.ts';
import type { Clock } from '../shared/clock.ts';
import { RUN_LOADS_COLLECTION, addLoads, noLoads, runLoadId, type LoadCounts, type RunLoadDoc } from '../contracts/run-loads.ts';
import { destinationOf, type TableDestination } from './core/table-topic.ts';
import { planUpserts, type IncomingRecord } from './core/upsert-plan.ts';
import type { RecordDecoder } from './record-decoder.ts';
import { classifyStoreError } from '../shared/store-errors.ts';
import { WRITE_OUTCOMES, countOutcome, createStoreWriter, toLong, type CountsByRun, type StoreWriter } from './store-writer.ts';
import { ensureIndexes } from './indexes.ts';

/** What loading a chunk did, per run id. */
export type ChunkOutcome = Map<string, LoadCounts>;

/** Dependencies of the chunk loader. */
export interface ChunkLoaderDeps {
  db: (name: string) => Db;
  decoder: RecordDecoder;
  dlqProducer: MessageSender;
  databasePrefix: string;
  /** The state DB, where `run_loads` lives. */
  stateDb: Db;
  clock: Clock;
}

/** A dead letter; `decoded` when the record was decoded and the store refused it. */
type Dead = { letter: DeadLetter; error: SyncError; runId: string; decoded?: boolean };

/** The run id in a message's headers, or '' when they cannot be read. */
function runIdOf(m: KafkaMessage): string {
  const h = m.headers?.['run-id'];
  return h === undefined ? '' : String(Array.isArray(h) ? h[0] : h);
}

/** The chunk's outcome per run: the writer's counts, records superseded within the chunk (older), dead letters. */
function outcomeOf(records: readonly IncomingRecord[], written: CountsByRun, dead: readonly Dead[]): ChunkOutcome {
  const out: ChunkOutcome = new Map();
  const of = (runId: string) => out.get(runId) ?? (out.set(runId, noLoads()), out.get(runId)!);
  const inputs = new Map<string, number>();
  for (const r of records) inputs.set(String(r.meta.runId ?? ''), (inputs.get(String(r.meta.runId ?? '')) ?? 0) + 1);
  for (const [runId, c] of written) addLoads(of(runId), c);
  for (const d of dead) {
    of(d.runId).dead++;
    if (d.decoded) inputs.set(d.runId, (inputs.get(d.runId) ?? 0) - 1);
  }
  for (const [runId, n] of inputs) {
    const c = of(runId);
    c.older += n - (c.written + c.deleted + c.unchanged + c.older); // superseded by a newer record of the same id in the chunk
  }
  return out;
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
  const runLoads = deps.stateDb.collection<RunLoadDoc>(RUN_LOADS_COLLECTION);

  /** Adds the chunk's counts to `run_loads` (one upsert per run). */
  async function record(dest: TableDestination, outcome: ChunkOutcome): Promise<void> {
    const now = new Date(deps.clock.nowMs());
    const ops = [...outcome].filter(([runId]) => runId !== '').map(([runId, c]) => ({
      updateOne: {
        filter: { _id: runLoadId(runId, dest.table) },
        update: { $inc: { ...c }, $set: { runId, connection: dest.connection, table: dest.table, updatedAt: now } },
        upsert: true,
      },
    }));
    if (ops.length > 0) await runLoads.bulkWrite(ops, { ordered: false }).catch((err: unknown) => Promise.reject(classifyStoreError(err)));
  }

  async function decodeAll(topic: string, partition: number, messages: readonly KafkaMessage[]): Promise<{ records: IncomingRecord[]; dead: Dead[] }> {
    const records: IncomingRecord[] = [];
    const dead: Dead[] = [];
    for (const m of messages) {
      try {
        records.push(await deps.decoder.decode(topic, partition, m));
      } catch (err) {
        const e = toSyncError(err);
        if (e.retriable) throw e; // registry down: retry the chunk, commit nothing
        dead.push({ letter: deadLetterOf(topic, partition, m), error: e, runId: runIdOf(m) });
      }
    }
    return { records, dead };
  }

  return async function loadChunk(topic: string, partition: number, messages: readonly KafkaMessage[]): Promise<ChunkOutcome> {
    const dest = destinationOf(topic, deps.databasePrefix);
    const { records, dead } = await decodeAll(topic, partition, messages);
    // Invariant 6: poison records go to the DLQ (acknowledged) and the partition keeps flowing.
    await sendToDlq(deps.dlqProducer, 'loader', dead, deps.clock.nowMs());
    const writer = await writerFor(dest.database, dest.collection);
    let written: CountsByRun;
    try {
      written = await writer.write(planUpserts(records, toLong));
    } catch (err) {
      if (!(isSyncError(err) && !err.retriable)) throw err;
      // a data problem in the store (e.g. a document over the size limit): write one by one, dead-letter the bad ones
      written = await writeOneByOne(writer, records, messages, topic, partition, dead);
    }
    const outcome = outcomeOf(records, written, dead);
    await record(dest, outcome);
    return outcome;
  };

  async function writeOneByOne(writer: StoreWriter, records: readonly IncomingRecord[], messages: readonly KafkaMessage[], topic: string, partition: number, dead: Dead[]): Promise<CountsByRun> {
    const out: CountsByRun = new Map();
    for (const r of records) {
      try {
        for (const [runId, c] of await writer.write(planUpserts([r], toLong))) for (const k of WRITE_OUTCOMES) countOutcome(out, runId, k, c[k]);
      } catch (err) {
        const e = toSyncError(err);
        if (e.retriable) throw e;
        const m = messages.find((x) => x.offset === r.meta.offset)!;
        const letter = { letter: deadLetterOf(topic, partition, m), error: e, runId: String(r.meta.runId ?? ''), decoded: true };
        await sendToDlq(deps.dlqProducer, 'loader', [letter], deps.clock.nowMs());
        dead.push(letter);
      }
    }
    return out;
  }
}
