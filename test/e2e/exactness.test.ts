/**
 * Values at the limits of every type, end to end: the simulator's extreme rows (money ±922,337,203,685,477.0000 and
 * 4 significant decimals, decimals at their scale and range, BigInt to the int64 limits, inexact doubles, tricky
 * strings at their maximum length, ~300 KB memos, DateOnly 1753-01-01/9999-12-31, date-times at the supported
 * limits, rows of nulls) go through the whole product (demo pipeline, full sync) and are compared with the
 * simulator's ground truth as text, in MongoDB and in the Avro records of the table topics. One test per type. The
 * organisation's version numbers are beyond 2^53 (`versionOffset`), so windows, delta links, tombstones and the
 * loader's version guard all run on them.
 */
import type { Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from 'undici';
import { storedText, truthVersions, fieldOf, type TruthRow } from '../../harness/ground-truth.ts';
import { runDemo, type DemoResult } from '../../infra/demo/run-demo.ts';
import { avroLogicalTypes } from '../../services/dataverse/mapping/logical-types.ts';
import { createKafka } from '../../services/shared/kafka.ts';
import { createRegistry, registryAccessOf } from '../../services/shared/registry.ts';
import { kafkaAccessOf } from '../../services/shared/kafka-access.ts';
import { BEYOND_DOUBLE, DATEONLY_MAX, DATEONLY_MIN, DATETIME_MAX, DATETIME_MIN, HUGE_MEMO_LENGTH, INT64_MAX, INT64_MIN, MONEY_MAX, MONEY_MIN } from '../../services/simulator/core/extremes.ts';
import { dataProperty } from '../../services/simulator/core/schema.ts';
import { TABLES } from '../../services/simulator/core/tables-all.ts';
import type { DemoSimulator } from '../../harness/simulator-process.ts';
import { tableTopic } from '../../services/contracts/topic-names.ts';

/** One compared value: the truth's text, and the texts found in MongoDB and in the topic. */
interface Compared {
  table: string;
  id: string;
  field: string;
  truth: string | null;
  mongo: string | null;
  avro: string | null;
}

/** Type label of each (table, wire property): the column kind, DateTime split by behaviour. */
const typeOf = new Map<string, string>();
for (const t of TABLES) {
  for (const c of t.columns) {
    const p = dataProperty(c);
    if (p) typeOf.set(`${t.logicalName}.${p}`, c.kind === 'DateTime' ? `DateTime ${c.behavior ?? 'UserLocal'}` : c.kind);
  }
}

/** Every version number of the organisation is beyond 2^53. */
const VERSION_OFFSET = 2n ** 53n + 1n;
const compared: Compared[] = [];
let result: DemoResult;
const lines: string[] = [];

/** Reads every record of the table topics up to their end: id → decoded Avro value (the latest per key). */
async function topicRecords(env: Record<string, string>, connection: string, tables: string[]): Promise<Map<string, Record<string, unknown>>> {
  const kafka = createKafka(`exactness-${connection}`, env.KAFKA_BROKERS!.split(','), undefined, kafkaAccessOf('exactness', env).client);
  const registry = createRegistry(registryAccessOf('exactness', env), { logicalTypes: avroLogicalTypes });
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<string, number>();
  for (const t of tables) for (const p of await admin.fetchTopicOffsets(tableTopic(connection, t))) ends.set(`${tableTopic(connection, t)}/${p.partition}`, Number(p.high));
  await admin.disconnect();
  const out = new Map<string, Record<string, unknown>>();
  const consumer = kafka.consumer({ groupId: `exactness-${connection}` });
  await consumer.connect();
  for (const t of tables) await consumer.subscribe({ topic: tableTopic(connection, t), fromBeginning: true });
  const remaining = new Set([...ends].filter(([, end]) => end > 0).map(([k]) => k));
  await new Promise<void>((resolve, reject) => {
    if (remaining.size === 0) resolve();
    consumer
      .run({
        eachMessage: async ({ topic, partition, message }) => {
          if (message.value && message.value.length > 0) out.set(`${topic.split('.').at(-1)}/${message.key?.toString()}`, (await registry.decode(message.value)) as Record<string, unknown>);
          if (Number(message.offset) + 1 >= (ends.get(`${topic}/${partition}`) ?? 0)) {
            remaining.delete(`${topic}/${partition}`);
            if (remaining.size === 0) resolve();
          }
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return out;
}

async function inspect(ctx: { sim: DemoSimulator; agent: Agent; connection: string; db: Db; env: Record<string, string> }): Promise<void> {
  const truths = new Map<string, Map<string, TruthRow>>();
  for (const t of TABLES) {
    const pk = t.primaryId;
    truths.set(t.logicalName, (await truthVersions(ctx.sim.controlUrl!, ctx.agent, t.logicalName, pk)).exact);
  }
  const avro = await topicRecords(ctx.env, ctx.connection, TABLES.map((t) => t.logicalName));
  for (const t of TABLES) {
    const rows = truths.get(t.logicalName)!;
    const docs = new Map<string, Record<string, unknown>>();
    for await (const d of ctx.db.collection(t.logicalName).find({ _id: { $in: [...rows.keys()] } as never })) docs.set(String(d._id), d as Record<string, unknown>);
    for (const [id, row] of rows) {
      for (const [property, want] of Object.entries(row)) {
        const field = fieldOf(property);
        if (field === undefined || !typeOf.has(`${t.logicalName}.${property}`)) continue;
        const doc = docs.get(id);
        const record = avro.get(`${t.logicalName}/${id}`);
        compared.push({
          table: t.logicalName,
          id,
          field: property,
          truth: want === null ? null : String(want),
          mongo: doc ? storedText(doc[field] ?? (field === t.primaryId ? doc._id : undefined), want) : 'MISSING DOCUMENT',
          avro: record ? storedText(record[field], want) : 'MISSING RECORD',
        });
      }
    }
  }
}

beforeAll(async () => {
  result = await runDemo({ rows: 250, keep: false, say: (l) => lines.push(l), runTimeoutMs: 400_000, versionOffset: VERSION_OFFSET, afterFullSync: inspect });
}, 900_000);
afterAll(() => undefined);

const ofType = (type: string) => compared.filter((c) => typeOf.get(`${c.table}.${c.field}`) === type);
const truthsOf = (type: string) => new Set(ofType(type).map((c) => c.truth));

describe('values at the limits of every type reach MongoDB and the Avro topics exactly', { timeout: 900_000 }, () => {
  it('the demo verified every step (including the exact values of the extreme rows in MongoDB)', () => {
    expect(result.ok, lines.join('\n')).toBe(true);
    expect(compared.length).toBeGreaterThan(500);
  });

  it.each<[string, (string | null)[]]>([
    ['Money', [MONEY_MAX, MONEY_MIN, '922337203685476.9999', '-922337203685476.9999', '0.0001', '-0.0001', '0.0000', null]],
    ['Decimal', ['99999999999.9999999999', '-99999999999.9999999999', '0.0000000001', '100000000000.00000', '99999999999.99', null]],
    ['BigInt', [INT64_MAX, INT64_MIN, BEYOND_DOUBLE, `-${BEYOND_DOUBLE}`, null]],
    ['Double', ['0.1', '-0.3', '0.00001', '100000000000', '-100000000000', null]],
    ['Integer', ['2147483647', '-2147483648', null]],
    ['DateTime DateOnly', [DATEONLY_MIN, DATEONLY_MAX, null]],
    ['DateTime UserLocal', [DATETIME_MIN, DATETIME_MAX, null]],
    ['DateTime TimeZoneIndependent', [DATETIME_MIN, DATETIME_MAX, null]],
    ['Uniqueidentifier', ['00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', null]],
    ['String', [null]],
    ['Memo', [null]],
    ['Boolean', ['true']],
    ['Picklist', [null]],
    ['MultiSelectPicklist', [null]],
    ['Lookup', [null]],
    ['Customer', [null]],
    ['Owner', []],
    ['State', []],
    ['Status', []],
  ])('%s', (type, mustInclude) => {
    const values = ofType(type);
    expect(values.length, type).toBeGreaterThan(0);
    for (const v of mustInclude) expect(truthsOf(type), `${type} extremes in the data`).toContain(v);
    const wrong = values.filter((c) => c.mongo !== c.truth || c.avro !== c.truth);
    expect(wrong.map((c) => ({ ...c, truth: c.truth?.slice(0, 80), mongo: c.mongo?.slice(0, 80), avro: c.avro?.slice(0, 80) }))).toEqual([]);
  });

  it('version numbers beyond 2^53 are exact (versionnumber, Kafka header, the loader guard) through every step', () => {
    const versions = compared.filter((c) => c.field === 'versionnumber');
    expect(versions.length).toBeGreaterThan(10);
    for (const v of versions) expect(BigInt(v.truth ?? '0')).toBeGreaterThan(2n ** 53n);
    expect(versions.filter((c) => c.mongo !== c.truth || c.avro !== c.truth)).toEqual([]);
    // the incremental's creates, updates and delta-link deletes, and the nightly refresh, were verified by the demo
    expect(result.verdicts.map((v) => v.step)).toHaveLength(3);
    expect(result.runs[1]?.deletes).toBe(30);
  });

  it('strings at their maximum length with multi-byte text, emoji, quotes, backslashes and control characters, and memos of hundreds of kilobytes', () => {
    const texts = [...truthsOf('String'), ...truthsOf('Memo')].filter((t): t is string => t !== null);
    expect(texts.some((t) => t.includes('😀') && t.includes('"') && t.includes('\\') && t.includes('\u0001') && t.includes('中文'))).toBe(true);
    expect(Math.max(...texts.map((t) => t.length))).toBeGreaterThanOrEqual(HUGE_MEMO_LENGTH);
  });
});
