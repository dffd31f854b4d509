/**
 * What a window needs to know about its table, built once per (connection, table, run) and shared by the run's
 * windows: the discovered TableDefinition, the Avro schema registered under `dynamics.<connection>.<table>-value`
 * (before the first record is produced), the row mapper with the run's currency map (transactioncurrency ISO codes,
 * read once per connection and run) giving records in the Avro wire representation, the writer of those records in
 * the Confluent wire format under the registered id (mapping/wire-record-writer.ts), and the table topic (created
 * idempotently) with its partition count. A new run rediscovers, so column changes are picked up at the next run.
 *
 * The fixed cost of a table per run is kept small, since an organisation has hundreds of tables: the table list is
 * read once per connection and run (not once per table), the tables of a run described within one tick or while
 * another description of the run is in flight are described together in one RetrieveMetadataChanges call
 * (describe-batcher.ts), a schema already registered by this process (same subject, same text) is not registered
 * again, and a delta task gets only the table's summary and topic (`deltaContext`), no discovery. Failed builds are
 * forgotten (retried by the next task); the caches keep the most recently used entries: 64 contexts (a context is
 * rebuilt when a table comes back after 64 others) and 1024 of everything else.
 */
import type { Admin } from 'kafkajs';
import { SyncError } from '../shared/errors.ts';
import type { Registry } from '../shared/registry.ts';
import type { SyncTask } from '../contracts/control-messages.ts';
import { findTable, listTables } from '../dataverse/discovery/discover.ts';
import { avroFieldName, avroSchemaFor } from '../dataverse/mapping/avro-schema.ts';
import { rowMapper, type RowMapper } from '../dataverse/mapping/row-mapper.ts';
import { WireRecordWriter } from '../dataverse/mapping/wire-record-writer.ts';
import type { TableDefinition, TableSummary } from '../dataverse/model/table-definition.ts';
import type { DataverseClient } from '../dataverse/client/dataverse-client.ts';
import { CURRENCIES_PATH, annotationsFor, assertWindowable, currencyMap, needsCurrencies } from './core/window-query.ts';
import { DescribeBatcher } from './describe-batcher.ts';
import { tableTopic } from '../contracts/topic-names.ts';
import { ledPartitionCount, type KafkaTopics } from '../shared/kafka-topics.ts';

/** What a delta task of one table needs: its summary and its topic. */
export interface DeltaContext {
  table: TableSummary;
  topic: string;
  partitions: number;
}

/** Everything a window of one table needs. */
export interface TableContext extends DeltaContext {
  table: TableDefinition;
  schemaId: number;
  /**
   * Row → Avro record in the `wire` representation (what {@link TableContext.writer} takes). The record is reused:
   * write it before mapping the next row.
   */
  mapper: RowMapper;
  /** Writes mapped records as Confluent-wire-format values under `schemaId`. */
  writer: WireRecordWriter;
  /** The field of a mapped record holding the record key (the primary id as `recordKey` gives it). */
  keyField: string;
  annotations: string[];
}

/** Dependencies of {@link TableContexts}. */
export interface TableContextDeps {
  registry: Registry;
  admin: Admin;
  /** Avro namespace of table records (e.g. `dynsync`). */
  namespace: string;
  /** The deployment's topic settings: a table topic is created (or reported weaker) with them. */
  topics: Pick<KafkaTopics, 'table' | 'declare'>;
  /** Ask for FormattedValue to fill lookup names (doubles the payload). Default true. */
  lookupNames?: boolean;
  /** Most entries per cache (least recently used evicted). Default 1024 (an organisation's tables in one run). */
  maxEntries?: number;
  /**
   * Most table contexts kept (least recently used evicted; an evicted one is built again, one metadata request).
   * Default 64: a context holds about 75 KB (compiled Avro writer, row mapper, definition) and serves the windows of its
   * table, which the extractor runs a few at a time, so 500 tables' contexts would hold 37 MB for nothing.
   */
  maxContexts?: number;
  /** Describes the tables of a run together (default: a {@link DescribeBatcher} over `describeTables`). */
  describer?: DescribeBatcher;
}

/** The Avro field of the primary id column, whose mapped value is the record key (`recordKey`: the lower-case GUID). */
function primaryKeyField(table: TableDefinition): string {
  const column = table.columns.find((c) => c.isPrimaryId && c.wireName === table.primaryIdAttribute && c.dataverseType === 'UniqueidentifierType');
  if (!column) throw new SyncError('INTERNAL', `table ${table.logicalName}: no primary id column ${table.primaryIdAttribute}`);
  return avroFieldName(column);
}

/** A promise cache that forgets failures and evicts its least recently used entries. */
class PromiseCache<T> {
  private readonly entries = new Map<string, Promise<T>>();
  private readonly max: number;
  constructor(max: number) {
    this.max = max;
  }
  get(key: string, build: () => Promise<T>): Promise<T> {
    let p = this.entries.get(key);
    if (p) {
      this.entries.delete(key); // most recently used last
    } else {
      p = build();
      const built = p;
      p.catch(() => {
        if (this.entries.get(key) === built) this.entries.delete(key);
      });
    }
    this.entries.set(key, p);
    while (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
    return p;
  }
}

/** Builds and caches {@link TableContext}s. */
export class TableContexts {
  private readonly deps: TableContextDeps;
  private readonly contexts: PromiseCache<TableContext>;
  private readonly currencies: PromiseCache<Map<string, string>>;
  private readonly lists: PromiseCache<TableSummary[]>;
  private readonly topics: PromiseCache<{ topic: string; partitions: number }>;
  /** Table topics declared by this process. */
  private readonly declared: PromiseCache<void>;
  /** Schema ids this process registered, by subject and schema text (registering the same again gives the same id). */
  private readonly registered: PromiseCache<number>;
  private readonly describer: DescribeBatcher;

  constructor(deps: TableContextDeps) {
    this.deps = deps;
    this.describer = deps.describer ?? new DescribeBatcher();
    const max = deps.maxEntries ?? 1024;
    this.contexts = new PromiseCache(deps.maxContexts ?? 64);
    this.currencies = new PromiseCache(max);
    this.lists = new PromiseCache(16);
    this.topics = new PromiseCache(max);
    this.declared = new PromiseCache(max);
    this.registered = new PromiseCache(max);
  }

  /** The context of `task`'s table in its run, built on first use. */
  get(task: SyncTask, client: DataverseClient, signal?: AbortSignal): Promise<TableContext> {
    return this.contexts.get(JSON.stringify([task.connection, task.table, task.runId]), () => this.build(task, client, signal));
  }

  /** What a delta task of `task`'s table needs: its summary (from the run's table list) and topic; no discovery. */
  async deltaContext(task: SyncTask, client: DataverseClient, signal?: AbortSignal): Promise<DeltaContext> {
    const [table, topic] = await Promise.all([this.summary(task, client, signal), this.topicOf(task)]);
    return { table, ...topic };
  }

  /** The table's summary from the connection's table list, read once per run. */
  private async summary(task: SyncTask, client: DataverseClient, signal?: AbortSignal): Promise<TableSummary> {
    const tables = await this.lists.get(JSON.stringify([task.connection, task.runId]), async () => (await listTables(client, signal)).tables);
    return findTable(tables, task.table);
  }

  /**
   * The table topic and its partition count, read once per run. The coordinator declares a run's table topics (creates
   * the missing ones, reports weaker ones) before it publishes their tasks, so a topic whose partitions all have a
   * leader is used as it is (one metadata request); one that is missing or leaderless (a task of an older run, a
   * topic deleted since, tests without a coordinator) is declared here first, once per process.
   */
  private topicOf(task: SyncTask): Promise<{ topic: string; partitions: number }> {
    return this.topics.get(JSON.stringify([task.connection, task.table, task.runId]), async () => {
      const { admin, topics } = this.deps;
      const topic = tableTopic(task.connection, task.table);
      const led = await ledPartitionCount(admin, topic);
      if (led !== null) return { topic, partitions: led };
      const spec = topics.table(topic);
      await this.declared.get(topic, async () => void (await topics.declare([spec])));
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      return { topic, partitions: metadata.topics[0]?.partitions.length ?? spec.numPartitions ?? 1 };
    });
  }

  /**
   * Registers `schema` under `subject` unless this process registered the very same schema there already. The registry
   * client keeps a compiled avsc Type of every schema it registers (about 60 KB for a table of 20 columns) for its own
   * encode and decode, which the extractor never calls (records are written by the context's WireRecordWriter): its
   * cache is emptied after each registration, so 500 tables do not hold 30 MB of unused Types.
   */
  private register(subject: string, schema: object): Promise<number> {
    return this.registered.get(JSON.stringify([subject, schema]), async () => {
      const id = await this.deps.registry.register(subject, schema);
      this.deps.registry.client.cache.clear();
      return id;
    });
  }

  private async build(task: SyncTask, client: DataverseClient, signal?: AbortSignal): Promise<TableContext> {
    const { namespace } = this.deps;
    const summary = await this.summary(task, client, signal);
    const table = await this.describer.describe(JSON.stringify([task.connection, task.runId]), client, summary, signal);
    assertWindowable(table);
    const { topic, partitions } = await this.topicOf(task);
    // the schema is registered before the first record of the run is produced (SCHEMA_INCOMPATIBLE fails the task)
    const schema = avroSchemaFor(table, { namespace, connection: task.connection });
    const schemaId = await this.register(`${topic}-value`, schema);
    const currencies = needsCurrencies(table) ? await this.currencyMap(task, client, signal) : undefined;
    return {
      table,
      topic,
      partitions,
      schemaId,
      mapper: rowMapper(table, currencies, { representation: 'wire', reuse: true }),
      writer: new WireRecordWriter(schema, schemaId),
      keyField: primaryKeyField(table),
      annotations: annotationsFor(table, this.deps.lookupNames ?? true),
    };
  }

  private currencyMap(task: SyncTask, client: DataverseClient, signal?: AbortSignal): Promise<Map<string, string>> {
    return this.currencies.get(JSON.stringify([task.connection, task.runId]), async () => {
      const map = new Map<string, string>();
      for await (const page of client.pages(CURRENCIES_PATH, { signal })) currencyMap(page.rows, map);
      return map;
    });
  }
}
