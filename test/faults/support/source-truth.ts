/**
 * The simulator's ground truth as the fault suite needs it: every live row's version and `modifiedon`, and the
 * watermark check — every source row with `modifiedon` < the table's watermark must be in MongoDB (not deleted)
 * at its current version (Invariant 2 observed from the outside, after a run is loaded).
 */
import { createInterface } from 'node:readline';
import type { Db } from 'mongodb';
import { request, type Dispatcher } from 'undici';

/** One live source row. */
export interface SourceRow {
  version: bigint;
  modifiedonMs: number;
}

/** Streams `GET /_control/tables/{table}/truth` into id → {version, modifiedon}. */
export async function sourceRows(controlUrl: string, dispatcher: Dispatcher, table: string): Promise<Map<string, SourceRow>> {
  const res = await request(`${controlUrl}/tables/${table}/truth`, { dispatcher });
  if (res.statusCode !== 200) throw new Error(`simulator truth of ${table}: HTTP ${res.statusCode}`);
  const out = new Map<string, SourceRow>();
  for await (const line of createInterface({ input: res.body })) {
    if (!line.trim()) continue;
    const row = JSON.parse(line, (_k, v, ctx?: { source?: string }) => (typeof v === 'number' && ctx?.source ? ctx.source : v)) as Record<string, unknown>;
    out.set(String(row[`${table}id`]), { version: BigInt(String(row.versionnumber)), modifiedonMs: Date.parse(String(row.modifiedon)) });
  }
  return out;
}

/** The stored, not deleted, version of every document of a table collection. */
export async function storedVersions(db: Db, table: string): Promise<Map<string, bigint>> {
  const out = new Map<string, bigint>();
  for await (const doc of db.collection(table).find({}, { projection: { '_sync.version': 1, '_sync.deleted': 1 } })) {
    const sync = doc._sync as { version?: { toString(): string }; deleted?: boolean } | undefined;
    if (!sync?.deleted) out.set(String(doc._id), BigInt(String(sync?.version ?? '-1')));
  }
  return out;
}

/** What the watermark check found for one table. */
export interface WatermarkCheck {
  table: string;
  watermark: Date | undefined;
  /** Source rows below the watermark. */
  covered: number;
  /** Ids below the watermark that MongoDB lacks or holds at an older version (minus `allowed`). */
  violations: string[];
}

/**
 * Checks `watermark ≤ durable data` for one table of `connection`; `allowed` ids are left out (rows the design
 * lets a watermark pass, e.g. a row backdated below the incremental overlap after the watermark was committed).
 */
export async function checkWatermark(
  state: Db, data: Db, connection: string, table: string, truth: Map<string, SourceRow>, allowed: ReadonlySet<string> = new Set(),
): Promise<WatermarkCheck> {
  const doc = await state.collection<{ _id: string; watermark: Date }>('watermarks').findOne({ _id: `${connection}/${table}` });
  const result: WatermarkCheck = { table, watermark: doc?.watermark, covered: 0, violations: [] };
  if (!doc) return result;
  const stored = await storedVersions(data, table);
  const w = doc.watermark.getTime();
  for (const [id, row] of truth) {
    if (row.modifiedonMs >= w) continue;
    result.covered++;
    const have = stored.get(id);
    if ((have === undefined || have < row.version) && !allowed.has(id)) result.violations.push(`${id} (source v${row.version} modifiedon ${new Date(row.modifiedonMs).toISOString()}, stored ${have ?? 'none'})`);
  }
  return result;
}
