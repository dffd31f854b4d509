/**
 * The demo's (and the end-to-end tests') verdict: MongoDB against the simulator's ground truth, table by table.
 * A record is missing when the simulator has it and MongoDB does not (or has it soft-deleted), stale when MongoDB
 * holds an older `versionnumber`, extra when MongoDB holds a live document the simulator no longer has.
 */
import { createInterface } from 'node:readline';
import type { Db } from 'mongodb';
import { request, type Dispatcher } from 'undici';

/** The comparison of one table. */
export interface TableVerdict {
  table: string;
  truth: number;
  stored: number;
  missing: number;
  stale: number;
  extra: number;
  /** A few offending ids, for the report. */
  examples: string[];
}

/** True when the table matches exactly. */
export const matches = (v: TableVerdict): boolean => v.missing === 0 && v.stale === 0 && v.extra === 0;

/** Streams the simulator's live rows of `table` (NDJSON) into id → versionnumber. */
export async function truthVersions(controlUrl: string, dispatcher: Dispatcher, table: string, primaryId: string): Promise<Map<string, bigint>> {
  const res = await request(`${controlUrl}/tables/${table}/truth`, { dispatcher });
  if (res.statusCode !== 200) throw new Error(`simulator truth of ${table}: HTTP ${res.statusCode}`);
  const out = new Map<string, bigint>();
  for await (const line of createInterface({ input: res.body })) {
    if (!line.trim()) continue;
    const row = JSON.parse(line, (_k, v, ctx?: { source?: string }) => (typeof v === 'number' && ctx?.source ? ctx.source : v)) as Record<string, unknown>;
    out.set(String(row[primaryId]), BigInt(String(row.versionnumber)));
  }
  return out;
}

/** Compares one table. */
export async function verifyTable(
  db: Db,
  table: string,
  truth: Map<string, bigint>,
): Promise<TableVerdict> {
  const verdict: TableVerdict = { table, truth: truth.size, stored: 0, missing: 0, stale: 0, extra: 0, examples: [] };
  const seen = new Set<string>();
  const cursor = db.collection(table).find({}, { projection: { '_sync.version': 1, '_sync.deleted': 1 } });
  for await (const doc of cursor) {
    const id = String(doc._id);
    const sync = doc._sync as { version?: { toString(): string }; deleted?: boolean } | undefined;
    if (sync?.deleted) continue;
    verdict.stored++;
    seen.add(id);
    const want = truth.get(id);
    if (want === undefined) {
      verdict.extra++;
      if (verdict.examples.length < 5) verdict.examples.push(`extra ${id}`);
    } else if (BigInt(String(sync?.version ?? '-1')) < want) {
      verdict.stale++;
      if (verdict.examples.length < 5) verdict.examples.push(`stale ${id}`);
    }
  }
  for (const id of truth.keys()) {
    if (!seen.has(id)) {
      verdict.missing++;
      if (verdict.examples.length < 5) verdict.examples.push(`missing ${id}`);
    }
  }
  return verdict;
}
