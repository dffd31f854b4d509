/**
 * Sequential GUIDs, in the spirit of SQL Server's NEWSEQUENTIALID: the first 12 hex digits hold a per-table
 * salt and the row index, so the lower-case string order of the ids is the index order (the default Dataverse
 * order is by primary key), and an id maps back to (table, index) without any lookup table.
 */
import { hashIndex, mix32 } from './hash.ts';

/** Largest row index a table can hold (2^28 - 1). */
export const MAX_INDEX = 0x0fff_ffff;

const INDEX_SPAN = 0x1000_0000; // 2^28

/** A table's identity inside ids: 20 bits of salt plus a 12-hex-digit tail. */
export interface GuidSpace {
  /** 20-bit salt placed before the index. */
  readonly salt: number;
  /** Constant 12-hex-digit tail (last group) identifying the table. */
  readonly tail: string;
  /** Hash used for the middle groups. */
  readonly mid: number;
}

/** Derives the id space of a table from its 32-bit hash. */
export function guidSpace(tableHash: number): GuidSpace {
  const salt = (mix32(tableHash) & 0xfffff) | 0x10000; // never all zero, keeps ids looking random
  const t1 = mix32(tableHash ^ 0x5bd1e995).toString(16).padStart(8, '0');
  const t2 = (mix32(tableHash ^ 0x1b873593) & 0xffff).toString(16).padStart(4, '0');
  return { salt, tail: t2 + t1, mid: mix32(tableHash ^ 0x27d4eb2f) };
}

/** The id of row `index` of a table. Lower-case, canonical 8-4-4-4-12 form. */
export function guidFor(space: GuidSpace, index: number): string {
  if (index < 0 || index > MAX_INDEX || !Number.isInteger(index)) throw new RangeError(`row index out of range: ${index}`);
  const prefix = (space.salt * INDEX_SPAN + index).toString(16).padStart(12, '0');
  const h = hashIndex(space.mid, index);
  const g3 = (0x1000 | (h & 0x0fff)).toString(16);
  const g4 = (0x8000 | ((h >>> 12) & 0x3fff)).toString(16);
  return `${prefix.slice(0, 8)}-${prefix.slice(8, 12)}-${g3}-${g4}-${space.tail}`;
}

/** The row index encoded in `id` when it belongs to `space`, otherwise undefined. Case-insensitive. */
export function indexOfGuid(space: GuidSpace, id: string): number | undefined {
  const g = id.toLowerCase();
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(g)) return undefined;
  if (!g.endsWith(space.tail)) return undefined;
  const prefix = parseInt(g.slice(0, 8) + g.slice(9, 13), 16);
  const index = prefix - space.salt * INDEX_SPAN;
  if (index < 0 || index > MAX_INDEX) return undefined;
  return guidFor(space, index) === g ? index : undefined;
}

/** Normalises a GUID literal ("{ABC-...}" or "abc-...") to lower-case without braces. */
export function normaliseGuid(text: string): string {
  return text.replace(/^\{|\}$/g, '').toLowerCase();
}
