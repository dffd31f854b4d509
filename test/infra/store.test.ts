/**
 * The store under the loader's write path (MongoDB semantics: MongoDB, or FerretDB 2 on DocumentDB locally): guarded
 * upserts in one unordered bulk, Decimal128 exact at the extremes of the decimal columns, replays racing on the same
 * ids, the indexes serving the queries the services run, and readers never missing a document being rewritten.
 */
import avro from 'avsc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal128, type Collection, type Document, type MongoClient } from 'mongodb';
import { avroLogicalTypes } from '../../services/dataverse/mapping/logical-types.ts';
import { LIVE, SYNC } from '../../services/contracts/stored-document.ts';
import { compileConverter } from '../../services/loader/core/to-document.ts';
import { planUpserts, type IncomingRecord } from '../../services/loader/core/upsert-plan.ts';
import { ensureIndexes } from '../../services/loader/indexes.ts';
import { MAX_WRITE_BATCH, createStoreWriter, probeStore, toLong, totalCounts } from '../../services/loader/store-writer.ts';
import { indexesServing } from '../support/explain.ts';
import { testMongo, uniqueName } from '../support/servers.ts';

const T0 = 1_700_000_000_000;
const rec = (id: string, version: number, fields: Record<string, unknown> | null = { name: `v${version}` }, runStartMs = T0): IncomingRecord => ({
  id,
  version: BigInt(version),
  modifiedOnMs: T0 + version * 1000,
  runStartMs,
  hash: fields === null ? 'deleted' : JSON.stringify(fields),
  fields,
  meta: { runId: `run${runStartMs}` },
});

describe('the store under the loader', () => {
  let client: MongoClient;
  const dbName = uniqueName('it-store');
  const collection = async (): Promise<Collection<Document>> => {
    const coll = client.db(dbName).collection<Document>(uniqueName('t'));
    await ensureIndexes(coll);
    return coll;
  };
  const write = async (coll: Collection<Document>, records: IncomingRecord[]) => totalCounts(await createStoreWriter(coll).write(planUpserts(records, toLong)));

  beforeAll(async () => {
    client = await testMongo();
  });
  afterAll(async () => {
    await client.db(dbName).dropDatabase().catch(() => undefined);
    await client.close();
  });

  it('is a store with MongoDB semantics (FerretDB 1.x is refused by the probe)', async () => {
    expect((await probeStore(client.db('admin'))).server).toMatch(/^(MongoDB|FerretDB v?2)/);
  });

  it('keeps the newest version: older and equal versions are not written, replaying the whole history changes nothing', async () => {
    const coll = await collection();
    expect(await write(coll, [rec('a', 1), rec('b', 1)])).toEqual({ written: 2, deleted: 0, unchanged: 0, older: 0 });
    expect(await write(coll, [rec('a', 3)])).toEqual({ written: 1, deleted: 0, unchanged: 0, older: 0 });
    // older and equal versions arriving later, mixed with a fresh record in the same bulk
    expect(await write(coll, [rec('a', 2), rec('c', 1)])).toEqual({ written: 1, deleted: 0, unchanged: 0, older: 1 });
    expect(await write(coll, [rec('a', 3, { name: 'v3-replayed-different' }, T0 - 1)])).toEqual({ written: 0, deleted: 0, unchanged: 0, older: 1 });
    const before = await coll.find().sort({ _id: 1 }).toArray();
    expect(await write(coll, [rec('a', 1), rec('b', 1), rec('a', 3), rec('a', 2), rec('c', 1)])).toEqual({ written: 0, deleted: 0, unchanged: 3, older: 0 });
    const after = await coll.find().sort({ _id: 1 }).toArray();
    expect(after).toEqual(before);
    expect(after.map((d) => [d._id, d.name, d._sync.version.toString()])).toEqual([['a', 'v3', '3'], ['b', 'v1', '1'], ['c', 'v1', '1']]);
  });

  it('writes nothing for a later run that reads the same content, and writes the same version with other content', async () => {
    const coll = await collection();
    await write(coll, [rec('a', 1), rec('b', 1), rec('c', 1)]);
    const before = await coll.find().sort({ _id: 1 }).toArray();
    // a full refresh a day later: same versions, same content
    expect(await write(coll, [rec('a', 1, undefined, T0 + 86_400_000), rec('b', 1, undefined, T0 + 86_400_000), rec('c', 1, undefined, T0 + 86_400_000)])).toEqual({ written: 0, deleted: 0, unchanged: 3, older: 0 });
    expect(await coll.find().sort({ _id: 1 }).toArray()).toEqual(before); // byte for byte, _sync included
    // a column added between the runs: same version, other content, later run
    expect(await write(coll, [rec('b', 1, { name: 'v1', added: 42 }, T0 + 86_400_000)])).toEqual({ written: 1, deleted: 0, unchanged: 0, older: 0 });
    expect(await coll.findOne({ _id: 'b' as never })).toMatchObject({ added: 42, _sync: { runStart: new Date(T0 + 86_400_000) } });
    // the older run's record replayed afterwards does not take the column away again
    expect(await write(coll, [rec('b', 1)])).toEqual({ written: 0, deleted: 0, unchanged: 0, older: 1 });
    expect(await coll.findOne({ _id: 'b' as never })).toMatchObject({ added: 42 });
  });

  it(`writes a chunk larger than the engine's batch limit (${MAX_WRITE_BATCH} operations) in several bulks`, async () => {
    const coll = await collection();
    const n = MAX_WRITE_BATCH + 10;
    expect(await write(coll, Array.from({ length: n }, (_, i) => rec(`id${i}`, 1)))).toEqual({ written: n, deleted: 0, unchanged: 0, older: 0 });
    expect(await coll.countDocuments()).toBe(n);
  });

  it('stores money and decimals as Decimal128, exact at the extremes of decimal(38,4) and decimal(38,10), and compares them in queries', async () => {
    const schema = avro.Type.forSchema(
      { type: 'record', name: 'D', fields: [
        { name: 'money', type: { type: 'bytes', logicalType: 'decimal', precision: 38, scale: 4 } },
        { name: 'rate', type: { type: 'bytes', logicalType: 'decimal', precision: 38, scale: 10 } },
      ] } as avro.Schema,
      { logicalTypes: avroLogicalTypes as never },
    );
    const convert = compileConverter(schema);
    const cases: [string, string][] = [
      ['922337203685477.0000', '100000000000.0000000000'], // Dataverse money and decimal maxima
      ['-922337203685477.0000', '-100000000000.0000000000'],
      ['0.0001', '0.0000000001'], // the smallest steps
      ['-0.0001', '-0.0000000001'],
      ['999999999999999999999999999999.9999', '999999999999999999999999.9999999999'], // 34 digits: Decimal128's whole precision
      ['123456789012345.6789', '12345678901.2345678901'],
      ['0.0000', '0E-10'],
    ];
    const coll = await collection();
    await write(coll, cases.map(([money, rate], i) => rec(`d${i}`, 1, convert({ money, rate }) as Record<string, unknown>)));
    const stored = await coll.find().sort({ _id: 1 }).toArray();
    for (const [i, [money, rate]] of cases.entries()) {
      const doc = stored[i]!;
      expect(doc.money).toBeInstanceOf(Decimal128);
      expect([doc.money.toString(), doc.rate.toString()]).toEqual([Decimal128.fromString(money).toString(), Decimal128.fromString(rate).toString()]);
    }
    // the server compares Decimal128 numerically and exactly: one step below the maximum is not the maximum
    const max = Decimal128.fromString('922337203685477.0000');
    expect(await coll.countDocuments({ money: { $gte: max } })).toBe(2); // the maximum and the 34-digit value
    expect(await coll.countDocuments({ money: max })).toBe(1);
    expect(await coll.countDocuments({ money: { $gt: Decimal128.fromString('922337203685476.9999'), $lt: max } })).toBe(0);
    expect(await coll.countDocuments({ rate: { $gt: Decimal128.fromString('0'), $lt: Decimal128.fromString('0.0000000002') } })).toBe(1);
  });

  it('keeps the newest version when replays of the same ids race from four writers', async () => {
    const coll = await collection();
    const ids = Array.from({ length: 300 }, (_, i) => `r${i}`);
    // each writer replays every id at every version 1..8, in its own order
    const writers = Array.from({ length: 4 }, (_, w) => {
      const versions = Array.from({ length: 8 }, (_, k) => ((k * (w + 3)) % 8) + 1);
      return (async () => {
        let applied = 0;
        for (const v of versions) applied += (await write(coll, ids.map((id) => rec(id, v, { name: `v${v}` })))).written;
        return applied;
      })();
    });
    const applied = (await Promise.all(writers)).reduce((a, b) => a + b, 0);
    const docs = await coll.find().toArray();
    expect(docs).toHaveLength(ids.length);
    expect(docs.every((d) => d._sync.version.toString() === '8' && d.name === 'v8')).toBe(true);
    // every id went from absent to version 8 through increasing versions only: at least one write, at most eight
    expect(applied).toBeGreaterThanOrEqual(ids.length);
    expect(applied).toBeLessThanOrEqual(ids.length * 8);
  });

  it('serves the queries the services run from indexes (explain)', async () => {
    const coll = await collection();
    await write(coll, Array.from({ length: 2000 }, (_, i) => rec(`x${String(i).padStart(5, '0')}`, 1 + (i % 7))));
    const queries: [string, Document, Document, string][] = [
      ["the loader's read of a chunk's stored versions", { _id: { $in: ['x00001', 'x00002'] } }, {}, '_id_'],
      ['the id-set comparison: live documents modified before T0, in modifiedon order', { ...LIVE, [SYNC.modifiedon]: { $lt: new Date(T0 + 5000) } }, { [SYNC.modifiedon]: 1 }, 'sync_modifiedon'],
      ['downstream paging by source modifiedon', { [SYNC.modifiedon]: { $gt: new Date(T0 + 5000) } }, {}, 'sync_modifiedon'],
    ];
    for (const [what, filter, sort, index] of queries) expect(indexesServing(await coll.find(filter).sort(sort).explain()), what).toContain(index);
    // the check tells a scan from an index: a filter on an unindexed field is served by none
    expect(indexesServing(await coll.find({ name: 'v3' }).explain())).toEqual([]);
  });

  it('never hides a document from a reader while the document is being rewritten', async () => {
    const coll = await collection();
    const ids = Array.from({ length: 2000 }, (_, i) => `w${i}`);
    await write(coll, ids.map((id) => rec(id, 1)));
    let rewriting = true;
    const rewrites = (async () => {
      for (let v = 2; v <= 6; v++) await write(coll, ids.map((id) => rec(id, v)));
      rewriting = false;
    })();
    const seen: number[] = [];
    while (rewriting) seen.push(await coll.countDocuments({ _id: { $in: ids.slice(0, 1000) as never[] } }), (await coll.find({}, { projection: { _id: 1 } }).toArray()).length);
    await rewrites;
    expect(seen.length, 'the reader ran while the rewrites were in progress').toBeGreaterThan(2);
    expect(seen.filter((n, i) => n !== (i % 2 === 0 ? 1000 : 2000))).toEqual([]);
  });
});
