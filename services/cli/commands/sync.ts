/**
 * `dynsync sync` (refresh now) and `dynsync resync` (complete resynchronisation): each produces ONE JSON command
 * to `sync.commands`, keyed by connection id, and never talks to the services directly; the coordinator that owns
 * the connection picks it up. The format is in ../sync-command.ts (and documented in services/cli/README.md).
 */
import type { Kafka } from 'kafkajs';
import { SyncError } from '../../shared/errors.ts';
import { createProducer } from '../../shared/kafka.ts';
import { kafkaAccessError } from '../../shared/kafka-access.ts';
import { controlTopics, topicSettingsOf, type TopicSettings } from '../../shared/topics.ts';
import type { CliCommand, CliContext } from '../cli-context.ts';
import { CONNECTION_ARGUMENT, parseCommandWithId, type CommandSpec } from '../command-spec.ts';
import { toJsonText } from '../format.ts';
import { buildSyncCommand, parseTableList } from '../sync-command.ts';
import type { Command } from '../../contracts/command.ts';
import { COMMANDS_TOPIC } from '../../contracts/topic-names.ts';
import { ensureTopics } from '../../shared/kafka-topics.ts';

const options = {
  tables: { type: 'string', valueName: '<a,b>', description: 'only these tables (logical names, comma separated); default: every table of the connection' },
  json: { type: 'boolean', description: 'print the produced command and its partition/offset as JSON' },
} as const;
const notes = ['The command is produced to the Kafka topic sync.commands (KAFKA_BROKERS); the coordinator runs it.', 'Exit codes: 0 produced; 2 unknown connection or bad arguments; 4 Kafka or MongoDB unreachable.'];

const syncSpec = {
  name: 'sync',
  summary: 'Request an incremental refresh now (records modified since the last successful run): the refresh button.',
  positionals: CONNECTION_ARGUMENT,
  options,
  notes,
  examples: ['dynsync sync acme', 'dynsync sync acme --tables account,contact'],
} as const satisfies CommandSpec;

const resyncSpec = {
  name: 'resync',
  summary: 'Request a complete resynchronisation (every record, deletions reconciled): the admin\'s full sync.',
  positionals: CONNECTION_ARGUMENT,
  options,
  notes,
  examples: ['dynsync resync acme', 'dynsync resync acme --tables opportunity'],
} as const satisfies CommandSpec;

async function produce(ctx: CliContext, kind: Command['kind'], spec: typeof syncSpec | typeof resyncSpec, argv: readonly string[]): Promise<number> {
  const { values, id } = parseCommandWithId(spec, argv);
  const tables = values.tables === undefined ? undefined : parseTableList(values.tables);
  await (await ctx.connections()).get(id); // CONNECTION_NOT_FOUND says how to create it
  const command = buildSyncCommand({ kind, connection: id, tables, requestedBy: ctx.requestedBy(), now: new Date() });
  const { partition, offset } = await send(ctx.kafka(), command, topicSettingsOf(ctx.config)).catch((err: unknown) => {
    // a refused password or an untrusted certificate names its variable
    throw kafkaAccessError(err, ctx.kafkaAccess(), ctx.config.KAFKA_BROKERS[0]!) ?? err;
  });
  if (values.json) {
    ctx.io.out(toJsonText({ topic: COMMANDS_TOPIC, key: id, partition, offset, command }));
    return 0;
  }
  const what = kind === 'refresh' ? 'Refresh' : 'Full resync';
  const scope = command.tables ? `tables ${command.tables.join(', ')}` : 'every table';
  ctx.io.out(`${what} of "${id}" (${scope}) requested: ${COMMANDS_TOPIC} partition ${partition} offset ${offset}.\n`);
  ctx.io.out(`Follow it with \`dynsync runs ${id}\`.\n`);
  return 0;
}

/**
 * Produces `command` (key = connection id), creating the topic with the deployment's settings if no service has yet;
 * returns where it landed.
 */
async function send(kafka: Kafka, command: Command, topics: TopicSettings): Promise<{ partition: number; offset: string }> {
  const admin = kafka.admin();
  const producer = createProducer(kafka, { name: 'commands', config: { retry: { retries: 4, initialRetryTime: 200, maxRetryTime: 2_000 } } });
  try {
    await admin.connect();
    await ensureTopics(admin, controlTopics(topics).filter((t) => t.topic === COMMANDS_TOPIC));
    await producer.connect();
    const [meta] = await producer.send({ topic: COMMANDS_TOPIC, acks: -1, messages: [{ key: command.connection, value: JSON.stringify(command) }] });
    return { partition: meta?.partition ?? -1, offset: meta?.baseOffset ?? meta?.offset ?? '?' };
  } catch (err) {
    throw classifyKafkaError(err);
  } finally {
    await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
  }
}

/** kafkajs failures: connection problems and exhausted retries are transient (exit 4), the rest fatal. */
function classifyKafkaError(err: unknown): SyncError {
  if (err instanceof SyncError) return err;
  const e = err as { name?: string; message?: string; retriable?: boolean };
  const transient = e.retriable === true || /Connection|NumberOfRetriesExceeded|Timeout|BrokerNotFound/i.test(e.name ?? '');
  return new SyncError(transient ? 'KAFKA_UNAVAILABLE' : 'KAFKA_FAILED', `cannot produce to ${COMMANDS_TOPIC} (KAFKA_BROKERS): ${e.message ?? String(err)}`, { cause: err });
}

/** `sync` and `resync`. */
export const syncCommands: CliCommand[] = [
  { spec: syncSpec, run: (ctx, argv) => produce(ctx, 'refresh', syncSpec, argv) },
  { spec: resyncSpec, run: (ctx, argv) => produce(ctx, 'full-resync', resyncSpec, argv) },
];
