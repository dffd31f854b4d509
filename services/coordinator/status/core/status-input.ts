/**
 * What the status page is built from (pure): the connections and pending requests as the coordinator and the CLI
 * write them, normalised defensively (a field missing or of the wrong type becomes null, never an exception), and
 * what the Kafka admin reported. Connections are reduced to a whitelist of fields, so nothing else stored with a
 * connection (today or in a later version) can reach the page. Runs and watermarks are read as the CLI reads them
 * (contracts/run-document.ts `readRun`, `readWatermark`).
 */
import { timeOf } from '../../../contracts/run-document.ts';

/** A connection as shown (no secrets: only these fields are ever read). */
export interface ConnectionInput {
  id: string;
  orgUrl: string | null;
  flow: string | null;
  tables: 'all' | string[];
  schedule: { full: string; incremental: string; timeZone: string } | null;
  updatedAtMs: number | null;
}

/** Pending requests and schedule bookkeeping of a connection (`run_requests`). */
export interface RequestsInput {
  connection: string;
  pending: { kind: 'full' | 'incremental'; requestId: string; requestedBy: string }[];
  lastFiredMs: { full: number | null; incremental: number | null };
}

/** Offsets of one partition: low and high water marks, and the group's committed offset (−1 = none). */
export interface PartitionOffsets {
  partition: number;
  low: number;
  high: number;
  committed: number;
}

/** What Kafka reported, or why it could not. */
export type KafkaInput =
  | { state: 'ok'; loaderGroup: string; topics: { topic: string; partitions: PartitionOffsets[] }[]; dlq: { partition: number; low: number; high: number }[] | null }
  | { state: 'unavailable' | 'disabled'; message: string };

type Doc = Record<string, unknown>;

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const isDoc = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A `connections` document → the whitelisted fields. */
export function connectionFromDoc(doc: Doc): ConnectionInput {
  const tables = doc.tables === 'all' ? 'all' : Array.isArray(doc.tables) ? doc.tables.filter((t): t is string => typeof t === 'string') : [];
  const s = isDoc(doc.schedule) ? doc.schedule : null;
  return {
    id: String(doc._id),
    orgUrl: str(doc.orgUrl),
    flow: str(doc.flow),
    tables,
    schedule: s ? { full: str(s.full) ?? '', incremental: str(s.incremental) ?? '', timeZone: str(s.timeZone) ?? '' } : null,
    updatedAtMs: timeOf(doc.updatedAt),
  };
}

/** A `run_requests` document → pending requests and last schedule fires. */
export function requestsFromDoc(doc: Doc): RequestsInput {
  const p = isDoc(doc.pending) ? doc.pending : {};
  const pending = (['full', 'incremental'] as const).flatMap((kind) => {
    const r = p[kind];
    return isDoc(r) ? [{ kind, requestId: str(r.requestId) ?? '', requestedBy: str(r.requestedBy) ?? '' }] : [];
  });
  const last = isDoc(doc.lastFired) ? doc.lastFired : {};
  return { connection: String(doc._id), pending, lastFiredMs: { full: timeOf(last.full), incremental: timeOf(last.incremental) } };
}

/** Messages of a partition the group has not read yet: high − max(committed, low), never negative. */
export function partitionLag(p: PartitionOffsets): number {
  return Math.max(0, p.high - Math.max(p.committed, p.low));
}
