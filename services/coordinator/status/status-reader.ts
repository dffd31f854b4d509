/**
 * Reads what the status page shows, read-only: the state DB (`connections` with a whitelist projection,
 * `run_requests`, `runs` with the loader's `run_loads` of the shown runs, `watermarks`) and, through the coordinator's Kafka admin client, the loader group's
 * lag per table topic of the known connections and the high-water marks of `sync.dlq`. A Kafka problem or a
 * slow broker does not fail the page: the Kafka part then reports why it is missing.
 */
import type { Admin } from 'kafkajs';
import type { Db, Document } from 'mongodb';
import { toSyncError } from '../../shared/errors.ts';
import type { RunCountFields } from '../../contracts/run-counts.ts';
import { readRunLoads } from '../../shared/run-loads-reader.ts';
import { CONNECTIONS_COLLECTION } from '../../dataverse/connections/connection-store.ts';
import { connectionFromDoc, requestsFromDoc, type ConnectionInput, type KafkaInput, type RequestsInput } from './core/status-input.ts';
import { connectionTopicPrefix, DLQ_TOPIC, TABLE_TOPIC_PATTERN } from '../../contracts/topic-names.ts';
import { readRun, readWatermark, STATE_COLLECTIONS, type RunDoc, type RunRecord, type WatermarkRecord } from '../../contracts/run-document.ts';

/** Compile-time check: the run document the coordinator writes has the fields the shared counts read. */
const runDocHasCountFields: RunDoc extends RunCountFields ? true : never = true;
void runDocHasCountFields;

/** What the reader needs. */
export interface StatusReaderDeps {
  /** The state database (DYNSYNC_STATE_DB). */
  db: Db;
  /** A connected Kafka admin client; without one the Kafka part says it is not configured. */
  admin?: Admin;
  /** The loader's consumer group (COORDINATOR_LOADER_GROUP_ID). */
  loaderGroupId: string;
  /** Finished runs shown besides the running ones (default 20). */
  recentRuns?: number;
  /** Longest wait for the Kafka figures (default 3000 ms). */
  kafkaTimeoutMs?: number;
}

/** The state DB part of the page. */
export interface StateSnapshot {
  connections: ConnectionInput[];
  requests: RequestsInput[];
  runs: RunRecord[];
  watermarks: WatermarkRecord[];
}

/** Only these connection fields ever leave the database (no secret is stored there, and none could leak). */
const CONNECTION_FIELDS = { orgUrl: 1, flow: 1, tables: 1, schedule: 1, updatedAt: 1 } as const;
const LIMIT = 1000;

/** Reads the status page's data. */
export class StatusReader {
  private readonly d: StatusReaderDeps;
  constructor(deps: StatusReaderDeps) {
    this.d = deps;
  }

  /** The running runs and the most recent others (the per-run `produced` offsets are not read). */
  async runs(): Promise<RunRecord[]> {
    const runs = this.d.db.collection<Document>(STATE_COLLECTIONS.runs);
    const projection = { produced: 0 };
    const [running, recent] = await Promise.all([
      runs.find({ status: 'running' }, { projection }).limit(100).toArray(),
      runs.find({}, { projection }).sort({ startedAt: -1 }).limit(this.d.recentRuns ?? 20).toArray(),
    ]);
    const byId = new Map<string, Document>();
    for (const doc of [...running, ...recent]) byId.set(String(doc._id), doc);
    const loads = await readRunLoads(this.d.db, [...byId.keys()]);
    return [...byId].map(([id, doc]) => readRun(doc, loads.get(id)));
  }

  /** Everything the state DB holds for the page. */
  async state(): Promise<StateSnapshot> {
    const { db } = this.d;
    const [connections, requests, runs, watermarks] = await Promise.all([
      db.collection<Document>(CONNECTIONS_COLLECTION).find({}, { projection: CONNECTION_FIELDS }).sort({ _id: 1 }).limit(LIMIT).toArray(),
      db.collection<Document>(STATE_COLLECTIONS.runRequests).find({}, { projection: { pending: 1, lastFired: 1 } }).limit(LIMIT).toArray(),
      this.runs(),
      db.collection<Document>(STATE_COLLECTIONS.watermarks).find({}).sort({ _id: 1 }).limit(LIMIT).toArray(),
    ]);
    return {
      connections: connections.map(connectionFromDoc),
      requests: requests.map(requestsFromDoc),
      runs,
      watermarks: watermarks.map(readWatermark),
    };
  }

  /** Lag of the loader group on the table topics of `connectionIds`, and sync.dlq's offsets. */
  async kafka(connectionIds: readonly string[]): Promise<KafkaInput> {
    const { admin } = this.d;
    if (!admin) return { state: 'disabled', message: 'No Kafka client was given to the status page.' };
    const timeoutMs = this.d.kafkaTimeoutMs ?? 3_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([this.kafkaFigures(admin, connectionIds), timeout]);
    } catch (err) {
      return { state: 'unavailable', message: `Kafka unavailable: ${toSyncError(err).message}` };
    } finally {
      clearTimeout(timer);
    }
  }

  private async kafkaFigures(admin: Admin, connectionIds: readonly string[]): Promise<KafkaInput> {
    const all = await admin.listTopics();
    const prefixes = connectionIds.map(connectionTopicPrefix);
    const topics = all.filter((t) => TABLE_TOPIC_PATTERN.test(t) && prefixes.some((p) => t.startsWith(p))).sort();
    const [ends, committed, dlq] = await Promise.all([
      Promise.all(topics.map((topic) => admin.fetchTopicOffsets(topic))),
      topics.length > 0 ? admin.fetchOffsets({ groupId: this.d.loaderGroupId, topics }) : Promise.resolve([]),
      all.includes(DLQ_TOPIC) ? admin.fetchTopicOffsets(DLQ_TOPIC) : Promise.resolve(null),
    ]);
    const committedOf = new Map(committed.flatMap((t) => t.partitions.map((p) => [`${t.topic}\u0000${p.partition}`, Number(p.offset)] as const)));
    return {
      state: 'ok',
      loaderGroup: this.d.loaderGroupId,
      topics: topics.map((topic, i) => ({
        topic,
        partitions: (ends[i] ?? [])
          .map((p) => ({ partition: p.partition, low: Number(p.low), high: Number(p.high), committed: committedOf.get(`${topic}\u0000${p.partition}`) ?? -1 }))
          .sort((a, b) => a.partition - b.partition),
      })),
      dlq: dlq === null ? null : dlq.map((p) => ({ partition: p.partition, low: Number(p.low), high: Number(p.high) })).sort((a, b) => a.partition - b.partition),
    };
  }
}
