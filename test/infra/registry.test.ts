import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSyncError } from '../../services/shared/errors.ts';
import { testKafka, testRegistry, uniqueName } from '../support/servers.ts';
import { ensureTopics } from '../../services/shared/kafka-topics.ts';

const v1 = {
  type: 'record',
  name: 'Account',
  namespace: 'dynsync.test',
  fields: [
    { name: 'accountid', type: 'string' },
    { name: 'name', type: ['null', 'string'], default: null },
  ],
};
// adds a nullable column with a default: BACKWARD compatible
const v2 = { ...v1, fields: [...v1.fields, { name: 'revenue', type: ['null', 'double'], default: null }] };
// adds a required column without default: new readers cannot read old records, so not BACKWARD compatible
const incompatible = { ...v2, fields: [...v2.fields, { name: 'tier', type: 'int' }] };

describe('Schema registry (Confluent-compatible API) with Avro', () => {
  const registry = testRegistry();
  const topic = uniqueName('it-registry');
  const subject = `${topic}-value`;
  const kafka = testKafka();
  const admin = kafka.admin();

  beforeAll(async () => {
    await admin.connect();
    await ensureTopics(admin, [{ topic }]);
  });
  afterAll(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('registers a schema idempotently and round-trips Confluent wire-format records through Kafka', async () => {
    const id = await registry.register(subject, v1);
    expect(await registry.register(subject, v1)).toBe(id);

    const value = await registry.encode(id, { accountid: 'a1', name: 'Contoso Ünïcödé 🚀' });
    expect(value[0]).toBe(0);
    expect(value.readInt32BE(1)).toBe(id);

    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ key: 'a1', value }] });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: uniqueName('it-registry') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const decoded = await new Promise<unknown>((resolve, reject) => {
      consumer.run({ eachMessage: async ({ message }) => resolve(await registry.decode(message.value!)) }).catch(reject);
    });
    await consumer.disconnect();
    expect(decoded).toEqual({ accountid: 'a1', name: 'Contoso Ünïcödé 🚀' });
  });

  it('accepts a BACKWARD-compatible change and refuses an incompatible one with a clear error', async () => {
    const id1 = await registry.register(subject, v1);
    const id2 = await registry.register(subject, v2);
    expect(id2).not.toBe(id1);

    const err = await registry.register(subject, incompatible).catch((e: unknown) => e);
    expect(isSyncError(err, 'SCHEMA_INCOMPATIBLE')).toBe(true);
    expect((err as Error).message).toContain(subject);
    expect((err as Error).message).toMatch(/not BACKWARD compatible/);

    // the refused version did not replace the latest one
    const latest = await registry.client.getLatestSchemaId(subject);
    expect(latest).toBe(id2);
  });

  it('lets several clients register a new subject at the same moment (services starting together on a fresh registry)', async () => {
    // separate clients, so no cache is shared: each sees the subject unconfigured and sets its compatibility
    // (Apicurio refused all but the first PUT /config with 409 "rule already exists"); a few subjects, as it is a race
    for (let round = 0; round < 5; round++) {
      const fresh = `${uniqueName('it-registry-race')}-value`;
      const ids = await Promise.all([1, 2, 3, 4].map(() => testRegistry().register(fresh, v1)));
      expect(new Set(ids).size).toBe(1);
    }
  });

  it('rejects a value that does not match its schema as RECORD_INVALID', async () => {
    const id = await registry.register(subject, v2);
    const err = await registry.encode(id, { accountid: 42 }).catch((e: unknown) => e);
    expect(isSyncError(err, 'RECORD_INVALID')).toBe(true);
  });
});
