/**
 * Raw store benchmark: how fast the MongoDB-protocol store takes the loader's documents with nothing else in the
 * way. One page of `new_widget` records (bench/widget-records.ts) is decoded by the loader's own decoder and upsert
 * planner (so the documents have exactly the loader's shape: `_id`, ~40 converted fields, `_sync`); N copies with
 * fresh ids are then written with a plain loop of unordered `insertMany` batches into a new collection carrying the
 * loader's indexes. Database `dynsync_<unique>`; nothing is dropped.
 *
 *   npx node bench/store.ts --rows 100000 [--batch 500]
 */
import type { KafkaMessage } from 'kafkajs';
import { MongoClient, type Document } from 'mongodb';
import { parseArgs } from 'node:util';
import { avroLogicalTypes } from '../services/dataverse/mapping/logical-types.ts';
import { planUpserts } from '../services/loader/core/upsert-plan.ts';
import { ensureIndexes } from '../services/loader/indexes.ts';
import { createRecordDecoder } from '../services/loader/record-decoder.ts';
import { probeStore, toLong } from '../services/loader/store-writer.ts';
import { createRegistry } from '../services/shared/registry.ts';
import { benchServers, type BenchServers } from './servers.ts';
import { benchConnection, widgetSource } from './widget-records.ts';
import { tableTopic } from '../services/contracts/topic-names.ts';

/** The result merged into `npm run bench`. */
export interface StoreBench {
  readonly storeRaw: { readonly docsPerSec: number };
  readonly docs: number;
  readonly batch: number;
  readonly fieldsPerDoc: number;
  readonly seconds: number;
  readonly server: string;
}

/** Loader-shaped documents of one page of `new_widget` (5,000 rows). */
async function templateDocs(servers: BenchServers): Promise<Document[]> {
  const registry = createRegistry(servers.registry, { logicalTypes: avroLogicalTypes });
  const topic = tableTopic(benchConnection('benchstore'), 'new_widget');
  const source = await widgetSource(5_000, registry, topic);
  try {
    const decoder = createRecordDecoder(registry);
    for await (const records of source.pages()) {
      const incoming = await Promise.all(
        records.map((r, i) => decoder.decode(topic, 0, { key: Buffer.from(r.key), value: r.value, headers: r.headers, offset: String(i), timestamp: '0', attributes: 0, size: 0 } as unknown as KafkaMessage)),
      );
      return planUpserts(incoming, toLong).map((op) => op.replacement);
    }
    throw new Error('the simulator returned no widget rows');
  } finally {
    await source.close();
  }
}

/** Inserts `docs` loader-shaped documents in batches of `batch` and reports documents per second. */
export async function benchStore(docs = 100_000, batch = 500, servers: BenchServers = benchServers()): Promise<StoreBench> {
  const mongo = await new MongoClient(servers.mongoUri, { serverSelectionTimeoutMS: 30_000 }).connect();
  try {
    const profile = await probeStore(mongo.db('admin'));
    const template = await templateDocs(servers);
    const coll = mongo.db(`dynsync_${benchConnection('benchstore')}`).collection<Document>('new_widget');
    await ensureIndexes(coll);
    const started = performance.now();
    for (let done = 0; done < docs; done += batch) {
      const n = Math.min(batch, docs - done);
      const chunk: Document[] = [];
      for (let k = 0; k < n; k++) {
        const t = template[(done + k) % template.length]!;
        chunk.push({ ...t, _id: `${String(t._id).slice(0, 24)}${(done + k).toString(16).padStart(12, '0')}` });
      }
      await coll.insertMany(chunk, { ordered: false });
    }
    const seconds = (performance.now() - started) / 1000;
    const stored = await coll.countDocuments(); // exact (estimatedDocumentCount is a statistics estimate on DocumentDB)
    if (stored !== docs) throw new Error(`expected ${docs} documents, the store holds ${stored}`);
    return {
      storeRaw: { docsPerSec: Math.round(docs / seconds) },
      docs,
      batch,
      fieldsPerDoc: Object.keys(template[0] ?? {}).length,
      seconds: Number(seconds.toFixed(2)),
      server: profile.server,
    };
  } finally {
    await mongo.close();
  }
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { rows: { type: 'string', default: '100000' }, batch: { type: 'string', default: '500' } } });
  const r = await benchStore(Number(values.rows), Number(values.batch), benchServers());
  console.log(JSON.stringify(r, null, 2));
  process.exit(0);
}
