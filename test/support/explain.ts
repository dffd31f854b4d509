/**
 * Which indexes serve a query, read from `explain()` of MongoDB (winning plan stages IXSCAN / EXPRESS_IXSCAN /
 * IDHACK) or of FerretDB 2 on DocumentDB (PostgreSQL plan nodes with an "Index Name"; DocumentDB scans its `_id_`
 * index on the collection's shard key for every query, so `_id_` counts only when its condition is on `object_id`).
 */
import type { Document } from 'mongodb';

/** The names of the indexes that narrow the query of `plan` (an explain() result). */
export function indexesServing(plan: Document): string[] {
  const found = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    if ((o.stage === 'IXSCAN' || o.stage === 'EXPRESS_IXSCAN') && typeof o.indexName === 'string') found.add(o.indexName);
    if (o.stage === 'IDHACK') found.add('_id_');
    if (typeof o['Index Name'] === 'string') {
      const name = o['Index Name'];
      if (name !== '_id_' || String(o['Index Cond'] ?? '').includes('object_id')) found.add(name);
    }
    Object.values(o).forEach(walk);
  };
  walk(plan);
  return [...found];
}
