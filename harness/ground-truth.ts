/**
 * The demo's (and the end-to-end tests') verdict: MongoDB against the simulator's ground truth, table by table.
 * A record is missing when the simulator has it and MongoDB does not (or has it soft-deleted), stale when MongoDB
 * holds an older `versionnumber`, extra when MongoDB holds a live document the simulator no longer has, different
 * when one of its values is not exactly the simulator's: every column of the rows holding values at the limits of
 * their types (the simulator's extreme rows: money ±922,337,203,685,477.0000, BigInt beyond 2^53, ...) is compared
 * as text, never through a double.
 */
import type { Db } from 'mongodb';
import { request, type Dispatcher } from 'undici';
import { formatDecimal, parseDecimal } from '../services/dataverse/mapping/decimal.ts';

/** The comparison of one table. */
export interface TableVerdict {
  table: string;
  truth: number;
  stored: number;
  missing: number;
  stale: number;
  extra: number;
  /** Stored documents of the simulator's extreme rows with a value that is not exactly the simulator's. */
  different: number;
  /** A few offending ids, for the report. */
  examples: string[];
}

/** True when the table matches exactly. */
export const matches = (v: TableVerdict): boolean => v.missing === 0 && v.stale === 0 && v.extra === 0 && (v.different ?? 0) === 0;

/** A row of the simulator's truth: Dataverse JSON with every number as its exact source text. */
export type TruthRow = Record<string, unknown>;

/** id → versionnumber of every live row, plus the rows to compare value by value (the extreme rows). */
export class Truth extends Map<string, bigint> {
  readonly exact = new Map<string, TruthRow>();
  primaryId = '';
}

async function* truthLines(controlUrl: string, dispatcher: Dispatcher, table: string, query = ''): AsyncGenerator<TruthRow> {
  const res = await request(`${controlUrl}/tables/${table}/truth${query}`, { dispatcher });
  if (res.statusCode !== 200) throw new Error(`simulator truth of ${table}: HTTP ${res.statusCode}`);
  // lines end at \n only: readline would also cut at U+2028/U+2029, which JSON strings may hold unescaped
  const decoder = new TextDecoder();
  let pending = '';
  const parse = (line: string) => JSON.parse(line, (_k, v, ctx?: { source?: string }) => (typeof v === 'number' && ctx?.source ? ctx.source : v)) as TruthRow;
  for await (const chunk of res.body) {
    pending += decoder.decode(chunk as Uint8Array, { stream: true });
    let end: number;
    while ((end = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, end);
      pending = pending.slice(end + 1);
      if (line.trim()) yield parse(line);
    }
  }
  pending += decoder.decode();
  if (pending.trim()) yield parse(pending);
}

/** Streams the simulator's live rows of `table` (NDJSON) into id → versionnumber, with its extreme rows whole. */
export async function truthVersions(controlUrl: string, dispatcher: Dispatcher, table: string, primaryId: string): Promise<Truth> {
  const out = new Truth();
  out.primaryId = primaryId;
  for await (const row of truthLines(controlUrl, dispatcher, table)) out.set(String(row[primaryId]), BigInt(String(row.versionnumber)));
  for await (const row of truthLines(controlUrl, dispatcher, table, '?rows=extremes')) out.exact.set(String(row[primaryId]), row);
  return out;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** Plain decimal text keeping the scale (`1E-10` → `0.0000000001`, `12.5000` stays). */
function plainDecimal(text: string): string {
  const d = parseDecimal(text);
  return d ? formatDecimal(d.unscaled, d.scale) : text;
}

/**
 * The text of a stored value (a MongoDB document field, or a decoded Avro value) in the simulator's wire form, to be
 * compared with the truth's text: money and decimals exact with their scale (Decimal128, or the decimal strings of the
 * Avro decoder), BigInt
 * exact (Int64, bigint or number), doubles as JS prints them, date-times as whole-second ISO text, DateOnly as
 * YYYY-MM-DD, choices as their value, multi-selects as `1,2,3`, lookups as their id. `truth` tells a DateOnly apart.
 */
export function storedText(v: unknown, truth: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) {
    const iso = v.toISOString();
    return typeof truth === 'string' && DATE_ONLY.test(truth) ? iso.slice(0, 10) : iso.replace(/\.000Z$/, 'Z');
  }
  switch (typeof v) {
    case 'bigint':
    case 'boolean':
      return String(v);
    case 'number':
      return String(v);
    case 'string':
      return v;
    default:
      break;
  }
  const bson = (v as { _bsontype?: string })._bsontype;
  if (bson === 'Decimal128') return plainDecimal(String(v));
  if (bson === 'Long' || bson === 'Int32' || bson === 'Double') return String(v);
  if (Array.isArray(v)) return v.length === 0 ? null : v.map((x) => storedText((x as { value?: unknown }).value, undefined)).join(',');
  const o = v as Record<string, unknown>;
  if ('currency' in o) return storedText(o.value, truth);
  if ('id' in o && 'table' in o) return storedText(o.id, truth);
  if ('value' in o && 'label' in o) return storedText(o.value, truth);
  return JSON.stringify(v);
}

/** The document field of a truth property (`_ownerid_value` → `ownerid`), or undefined for annotations. */
export function fieldOf(property: string): string | undefined {
  if (property.includes('@')) return undefined;
  const lookup = /^_(.+)_value$/.exec(property);
  return lookup ? lookup[1] : property;
}

/**
 * The fields of `stored` whose text differs from the truth row's (none when they are equal): every property of the
 * truth row, through {@link storedText}. `idField` is the primary id (stored as `_id` when not as a field).
 */
export function differentFields(truth: TruthRow, stored: Record<string, unknown>, idField: string): string[] {
  const out: string[] = [];
  for (const [property, want] of Object.entries(truth)) {
    const field = fieldOf(property);
    if (field === undefined) continue;
    const have = stored[field] ?? (field === idField ? stored._id : undefined);
    if (storedText(have, want) !== (want === null ? null : String(want))) out.push(field);
  }
  return out;
}

/** Compares one table. */
export async function verifyTable(
  db: Db,
  table: string,
  truth: Map<string, bigint>,
): Promise<TableVerdict> {
  const verdict: TableVerdict = { table, truth: truth.size, stored: 0, missing: 0, stale: 0, extra: 0, different: 0, examples: [] };
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
  if (truth instanceof Truth && truth.exact.size > 0) {
    const ids = [...truth.exact.keys()].filter((id) => seen.has(id));
    for await (const doc of db.collection(table).find({ _id: { $in: ids } as never })) {
      const fields = differentFields(truth.exact.get(String(doc._id))!, doc as Record<string, unknown>, truth.primaryId);
      if (fields.length === 0) continue;
      verdict.different++;
      if (verdict.examples.length < 5) verdict.examples.push(`different ${doc._id}: ${fields.join(', ')}`);
    }
  }
  return verdict;
}
