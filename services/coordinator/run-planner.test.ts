import { describe, expect, it } from 'vitest';
import { createLogger } from '../shared/log.ts';
import { SyncError } from '../shared/errors.ts';
import type { Connection } from '../dataverse/connections/connection.ts';
import type { TableSummary } from '../dataverse/model/table-definition.ts';
import { runStartFor } from './core/run-plan.ts';
import type { DataverseAccess } from './dataverse-access.ts';
import { planInputs } from './run-planner.ts';
import type { StateStore, TableState } from './state-store.ts';

// Which Dataverse requests planning makes, and what it concludes, with the state DB and Dataverse faked: the
// rules themselves are table-tested in core/table-sizing.test.ts.

const H = 3_600_000;
const SERVER = Date.UTC(2026, 5, 1, 12, 0, 30);
const T0 = runStartFor(SERVER, 60_000);
const opts = { safetyLagMs: 60_000, overlapMs: 300_000, deltaRefreshMs: 24 * H };
const connection = { id: 'c1' } as Connection;
const summary = (name: string, tracked = true): TableSummary => ({
  logicalName: name, entitySetName: `${name}s`, primaryIdAttribute: `${name}id`, primaryNameAttribute: null,
  changeTrackingEnabled: tracked, isIntersect: false, isPrivate: false, tableType: 'Standard',
});
/** A delta link of table `t` whose snapshot was taken at `ms`. */
const linkAt = (t: string, ms: number) => {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  const token = `9!${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}/${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
  return `https://org/api/data/v9.2/${t}s?$select=${t}id,modifiedon&$deltatoken=${encodeURIComponent(token)}`;
};
const W = T0 - 2 * H;
const fresh: TableState = { watermark: null, link: null, history: { full: [], incremental: [] } };
const synced = (t: string, clean: boolean, linkMs = W - 10 * 60_000): TableState => ({
  watermark: { ms: W, runId: 'r0' },
  link: { link: linkAt(t, linkMs), runId: 'r0', clean },
  history: { full: [], incremental: [] },
});

interface Fakes {
  states: Record<string, TableState>;
  changes?: Record<string, number | Error>;
  counts?: Record<string, { count: number; limitExceeded: boolean } | Error>;
  totals?: Record<string, number>;
}

async function plan(kind: 'full' | 'incremental', tables: TableSummary[], f: Fakes) {
  const requests: string[] = [];
  const store = { tableStates: async () => new Map(Object.entries(f.states)) } as unknown as StateStore;
  const dataverse = {
    countRows: async (_c: Connection, t: { entitySetName: string }) => {
      requests.push(`count ${t.entitySetName}`);
      const r = f.counts?.[t.entitySetName] ?? { count: 0, limitExceeded: false };
      if (r instanceof Error) throw r;
      return r;
    },
    changesSince: async (_c: Connection, link: string) => {
      const set = /v9\.2\/(\w+)\?/.exec(link)![1]!;
      requests.push(`changes ${set}`);
      const r = f.changes?.[set] ?? 0;
      if (r instanceof Error) throw r;
      return r;
    },
    tableCounts: async (_c: Connection, names: readonly string[]) => {
      requests.push(`totals ${names.join(',')}`);
      return new Map(Object.entries(f.totals ?? {}).filter(([n]) => names.includes(n)));
    },
  } as unknown as DataverseAccess;
  const tracked = new Set(tables.filter((t) => t.changeTrackingEnabled).map((t) => t.logicalName));
  const inputs = await planInputs({ store, dataverse, log: createLogger('test', 'silent'), opts }, { runId: 'r1', kind, connection, tables, tracked, serverTimeMs: SERVER });
  return { requests: requests.sort(), inputs: Object.fromEntries(inputs.map((i) => [i.table, { size: i.size, delta: i.delta ?? null }])) };
}

describe('planInputs', () => {
  it('a full run asks RetrieveTotalRecordCount once for all tables and nothing per table', async () => {
    const r = await plan('full', [summary('a'), summary('b', false), summary('c')], {
      states: { a: synced('a', true), b: fresh, c: fresh }, totals: { a: 10, b: 6000 },
    });
    expect(r.requests).toEqual(['totals a,b,c']);
    expect(r.inputs).toEqual({
      a: { size: { kind: 'estimate', rows: 10 }, delta: { link: linkAt('a', W - 10 * 60_000) } },
      b: { size: { kind: 'estimate', rows: 6000 }, delta: null },
      c: { size: { kind: 'unknown' }, delta: { link: null } },
    });
  });

  it('the previous full run\'s counts are an estimate too (the larger of the two wins)', async () => {
    const history = { full: [{ fromMs: 0, toMs: W, count: 700 }], incremental: [] };
    const r = await plan('full', [summary('a')], { states: { a: { ...synced('a', true), history } }, totals: { a: 300 } });
    expect(r.inputs.a!.size).toEqual({ kind: 'estimate', rows: 700 });
  });

  it('an incremental of unchanged tables: one request per table, no window, no delta task', async () => {
    const r = await plan('incremental', [summary('a'), summary('b'), summary('u', false)], {
      states: { a: synced('a', true), b: synced('b', false, W - 3_600_000), u: synced('u', false) },
    });
    // b's link was stored, not clean, by the run that set the watermark: its range is counted; u has no link
    expect(r.requests).toEqual(['changes as', 'changes bs', 'count bs', 'count us']);
    expect(r.inputs.a).toEqual({ size: { kind: 'count', rows: 0, capped: false }, delta: null });
    expect(r.inputs.b).toEqual({ size: { kind: 'count', rows: 0, capped: false }, delta: null });
    expect(r.inputs.u).toEqual({ size: { kind: 'count', rows: 0, capped: false }, delta: null });
  });

  it('a link stored before the run that moved the watermark covers the range when its snapshot predates W − overlap', async () => {
    const state: TableState = { ...synced('a', false, W - 10 * 60_000), watermark: { ms: W, runId: 'r9' } };
    const r = await plan('incremental', [summary('a')], { states: { a: state } });
    expect(r.requests).toEqual(['changes as']);
    expect(r.inputs.a!.delta).toBeNull();
  });

  it('changes since the link: the range is counted and the delta task consumes the link', async () => {
    const r = await plan('incremental', [summary('a')], { states: { a: synced('a', true) }, changes: { as: 3 }, counts: { as: { count: 2, limitExceeded: false } } });
    expect(r.requests).toEqual(['changes as', 'count as']);
    expect(r.inputs.a).toEqual({ size: { kind: 'count', rows: 2, capped: false }, delta: { link: linkAt('a', W - 10 * 60_000) } });
  });

  it('a link older than the refresh age gets a delta task even without change (a fresh link), still no window', async () => {
    const old = linkAt('a', T0 - 25 * H);
    const state: TableState = { ...synced('a', true), link: { link: old, runId: 'r0', clean: true } };
    const r = await plan('incremental', [summary('a')], { states: { a: state } });
    expect(r.requests).toEqual(['changes as']);
    expect(r.inputs.a).toEqual({ size: { kind: 'count', rows: 0, capped: false }, delta: { link: old } });
  });

  it('failures plan conservatively: an expired token gets windows and the delta task, a failed count probed windows', async () => {
    const r = await plan('incremental', [summary('a'), summary('u', false)], {
      states: { a: synced('a', true), u: synced('u', false) },
      changes: { as: new SyncError('DATAVERSE_DELTA_EXPIRED', 'expired') },
      counts: { as: { count: 5000, limitExceeded: true }, us: new SyncError('DATAVERSE_UNAVAILABLE', '503') },
    });
    expect(r.inputs.a).toEqual({ size: { kind: 'count', rows: 5000, capped: true }, delta: { link: linkAt('a', W - 10 * 60_000) } });
    expect(r.inputs.u).toEqual({ size: { kind: 'unknown' }, delta: null });
  });

  it('an incremental of a table without watermark is planned like a full run (estimate)', async () => {
    const r = await plan('incremental', [summary('a'), summary('n')], { states: { a: synced('a', true), n: fresh }, totals: { n: 42 } });
    expect(r.requests).toEqual(['changes as', 'totals n']);
    expect(r.inputs.n).toEqual({ size: { kind: 'estimate', rows: 42 }, delta: { link: null } });
  });
});
