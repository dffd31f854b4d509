/**
 * `npm run -s topic -- <topic> [--max <n>] [--follow]`: a Kafka consumer of one topic, for looking at what the
 * pipeline produced: one JSON line per record (partition, offset, key, headers, and the value decoded through the
 * schema registry: Avro for table topics, JSON or text otherwise; null for a tombstone). Reads from the beginning;
 * stops after `--max` records (default 5) or at the end of the topic unless `--follow`. Reaches Kafka and the registry
 * as the services do (KAFKA_BROKERS, SCHEMA_REGISTRY_URL and their TLS/SASL and basic-authentication settings, as
 * `infra:up` prints them) with a throwaway consumer group, deleted afterwards. A wrong setting is one line naming it.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createKafka } from '../../services/shared/kafka.ts';
import { checkKafkaAccess, kafkaAccessOf } from '../../services/shared/kafka-access.ts';
import { createRegistry, registryAccessOf } from '../../services/shared/registry.ts';
import { toSyncError } from '../../services/shared/errors.ts';
import { avroLogicalTypes } from '../../services/dataverse/mapping/logical-types.ts';

const usage = 'usage: npm run -s topic -- <topic> [--max <n>] [--follow]\n  e.g. npm run -s topic -- dynamics.<connection>.account --max 3\n';
const { values, positionals } = parseArgs({ allowPositionals: true, options: { max: { type: 'string', default: '5' }, follow: { type: 'boolean', default: false }, help: { type: 'boolean' } } });
const max = Number(values.max);
if (values.help || positionals.length !== 1 || !Number.isInteger(max) || max < 1) {
  process.stderr.write(usage);
  process.exit(values.help ? 0 : 2);
}
const topic = positionals[0]!;
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

/** Stops with one line for an operator's mistake (a wrong setting, an unreachable broker), never a stack trace. */
function fail(err: unknown): never {
  const e = toSyncError(err);
  process.stderr.write(`${e.message.startsWith('topic: ') ? e.message : `topic: ${e.message}`} (${e.code})\n`);
  process.exit(e.code === 'CONFIG_INVALID' ? 2 : 1);
}
process.on('unhandledRejection', fail);

let access;
let registryAccess;
try {
  access = kafkaAccessOf('topic', process.env);
  registryAccess = registryAccessOf('topic', { SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8080/apis/ccompat/v7', ...process.env });
  await checkKafkaAccess('dynsync-topic', brokers, access);
} catch (err) {
  fail(err);
}
const registry = createRegistry(registryAccess, { logicalTypes: avroLogicalTypes });
const kafka = createKafka('dynsync-topic', brokers, undefined, access.client);
const admin = kafka.admin();
const groupId = `dynsync-topic-${randomBytes(4).toString('hex')}`;

/** JSON for decoded Avro: longs beyond 2^53 as strings, bytes as base64, dates as ISO strings. */
const json = (v: unknown) =>
  JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x instanceof Uint8Array ? Buffer.from(x).toString('base64') : x));

async function decode(value: Buffer | null): Promise<unknown> {
  if (value === null || value.length === 0) return null;
  if (value[0] === 0 && value.length > 5) return registry.decode(value); // Confluent wire format: magic 0 + schema id
  const text = value.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

await admin.connect();
if (!(await admin.listTopics()).includes(topic)) {
  process.stderr.write(`topic: no topic ${topic} on ${brokers.join(',')} (table topics are dynamics.<connection>.<table>)\n`);
  await admin.disconnect();
  process.exit(2);
}
const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
const open = new Set([...ends].filter(([, end]) => end > 0n).map(([p]) => p));
const consumer = kafka.consumer({ groupId });
let printed = 0;
try {
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    if (open.size === 0 && !values.follow) return resolve();
    consumer
      .run({
        eachMessage: async ({ partition, message }) => {
          if (printed >= max) return;
          const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, Buffer.isBuffer(v) ? v.toString('utf8') : String(v)]));
          process.stdout.write(`${json({ partition, offset: message.offset, key: message.key?.toString('utf8') ?? null, headers, value: await decode(message.value) })}\n`);
          printed++;
          if (BigInt(message.offset) + 1n >= (ends.get(partition) ?? 0n)) open.delete(partition);
          if (printed >= max || (!values.follow && open.size === 0)) resolve();
        },
      })
      .catch(reject);
  });
} finally {
  await consumer.disconnect();
  await admin.deleteGroups([groupId]).catch(() => undefined);
  await admin.disconnect();
}
