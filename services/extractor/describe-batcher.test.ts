import { describe, expect, it } from 'vitest';
import { SyncError } from '../shared/errors.ts';
import type { DataverseClient } from '../dataverse/client/dataverse-client.ts';
import type { TableDescription } from '../dataverse/model/metadata-changes.ts';
import type { TableDefinition, TableSummary } from '../dataverse/model/table-definition.ts';
import { DescribeBatcher } from './describe-batcher.ts';

const client = {} as DataverseClient;

const summary = (logicalName: string): TableSummary => ({
  logicalName,
  entitySetName: `${logicalName}s`,
  primaryIdAttribute: `${logicalName}id`,
  primaryNameAttribute: null,
  changeTrackingEnabled: true,
  isIntersect: false,
  isPrivate: false,
  tableType: 'Standard',
});

const definition = (s: TableSummary): TableDefinition => ({ ...s, columns: [], skipped: [] });

interface Call {
  names: string[];
  signal?: AbortSignal;
  finish: () => void;
  fail: (err: unknown) => void;
}

/** A describeTables stand-in whose calls the test finishes; tables named `gone*` are DATAVERSE_NOT_FOUND. */
function fake() {
  const calls: Call[] = [];
  const describeTables = (_c: DataverseClient, summaries: readonly TableSummary[], signal?: AbortSignal) =>
    new Promise<TableDescription[]>((resolve, reject) => {
      calls.push({
        names: summaries.map((s) => s.logicalName),
        signal,
        fail: reject,
        finish: () =>
          resolve(
            summaries.map((s) =>
              s.logicalName.startsWith('gone')
                ? { logicalName: s.logicalName, error: new SyncError('DATAVERSE_NOT_FOUND', `table "${s.logicalName}" is gone`) }
                : { logicalName: s.logicalName, table: definition(s) },
            ),
          ),
      });
    });
  return { calls, describeTables };
}

/** The deferred flushes, run when the test says so (one macrotask tick). */
function ticks() {
  const queue: Array<() => void> = [];
  return { defer: (fn: () => void) => void queue.push(fn), tick: () => queue.splice(0).forEach((fn) => fn()), get size() { return queue.length; } };
}

const settled = () => new Promise((r) => setImmediate(r));

describe('DescribeBatcher', () => {
  it('describes the tables asked for within one tick in one call, each caller getting its own table', async () => {
    const f = fake();
    const t = ticks();
    const b = new DescribeBatcher(f.describeTables, { defer: t.defer });
    const asked = ['account', 'contact', 'new_widget'].map((n) => b.describe('c/run1', client, summary(n)));
    expect(f.calls).toHaveLength(0);
    t.tick();
    expect(f.calls.map((c) => c.names)).toEqual([['account', 'contact', 'new_widget']]);
    f.calls[0]!.finish();
    expect((await Promise.all(asked)).map((d) => d.logicalName)).toEqual(['account', 'contact', 'new_widget']);
  });

  it('holds what is asked for while a call of the group is in flight, then describes it in one call', async () => {
    const f = fake();
    const t = ticks();
    const b = new DescribeBatcher(f.describeTables, { defer: t.defer });
    const first = b.describe('g', client, summary('a'));
    t.tick();
    const later = ['b', 'c', 'd'].map((n) => b.describe('g', client, summary(n)));
    t.tick();
    expect(f.calls.map((c) => c.names)).toEqual([['a']]);
    f.calls[0]!.finish();
    await first;
    await settled(); // the call's end schedules the held tables
    t.tick();
    expect(f.calls.map((c) => c.names)).toEqual([['a'], ['b', 'c', 'd']]);
    f.calls[1]!.finish();
    expect((await Promise.all(later)).map((d) => d.logicalName)).toEqual(['b', 'c', 'd']);
  });

  it('sends a full batch at once and the rest at the tick', async () => {
    const f = fake();
    const t = ticks();
    const b = new DescribeBatcher(f.describeTables, { defer: t.defer, maxTables: 50 });
    const asked = Array.from({ length: 120 }, (_, i) => b.describe('g', client, summary(`t${i}`)));
    expect(f.calls.map((c) => c.names.length)).toEqual([50, 50]);
    t.tick();
    expect(f.calls.map((c) => c.names.length)).toEqual([50, 50, 20]);
    f.calls.forEach((c) => c.finish());
    expect(await Promise.all(asked)).toHaveLength(120);
  });

  it('keeps groups apart', () => {
    const f = fake();
    const t = ticks();
    const b = new DescribeBatcher(f.describeTables, { defer: t.defer });
    void b.describe(JSON.stringify(['c1', 'r1']), client, summary('a'));
    void b.describe(JSON.stringify(['c2', 'r1']), client, summary('a'));
    void b.describe(JSON.stringify(['c1', 'r2']), client, summary('b'));
    t.tick();
    expect(f.calls.map((c) => c.names)).toEqual([['a'], ['a'], ['b']]);
  });

  it('gives a table missing from the response its DATAVERSE_NOT_FOUND and the others their tables', async () => {
    const f = fake();
    const t = ticks();
    const b = new DescribeBatcher(f.describeTables, { defer: t.defer });
    const ok = b.describe('g', client, summary('account'));
    const gone = b.describe('g', client, summary('gone_table'));
    t.tick();
    f.calls[0]!.finish();
    expect((await ok).logicalName).toBe('account');
    await expect(gone).rejects.toMatchObject({ code: 'DATAVERSE_NOT_FOUND', message: 'table "gone_table" is gone' });
  });

  it('rejects every caller of a failed call with its error; the next ask calls again', async () => {
    const f = fake();
    const t = ticks();
    const b = new DescribeBatcher(f.describeTables, { defer: t.defer });
    const asked = ['a', 'b'].map((n) => b.describe('g', client, summary(n)));
    t.tick();
    const err = new SyncError('DATAVERSE_UNAVAILABLE', 'Dataverse answered 503');
    f.calls[0]!.fail(err);
    for (const p of asked) await expect(p).rejects.toBe(err);
    await settled();
    const again = b.describe('g', client, summary('a'));
    t.tick();
    expect(f.calls.map((c) => c.names)).toEqual([['a', 'b'], ['a']]);
    f.calls[1]!.finish();
    expect((await again).logicalName).toBe('a');
  });

  it('rejects an aborted caller at once and leaves the others be; aborts a call whose callers all aborted', async () => {
    const f = fake();
    const t = ticks();
    const b = new DescribeBatcher(f.describeTables, { defer: t.defer });
    const c1 = new AbortController();
    const c2 = new AbortController();
    const aborted = b.describe('g', client, summary('a'), c1.signal);
    const kept = b.describe('g', client, summary('b'), c2.signal);
    t.tick();
    c1.abort(new Error('task abandoned'));
    await expect(aborted).rejects.toThrow('task abandoned');
    expect(f.calls[0]!.signal!.aborted).toBe(false);
    f.calls[0]!.finish();
    expect((await kept).logicalName).toBe('b');

    const c3 = new AbortController();
    const alone = b.describe('g', client, summary('c'), c3.signal);
    await settled();
    t.tick();
    c3.abort(new Error('stopping'));
    await expect(alone).rejects.toThrow('stopping');
    expect(f.calls[1]!.signal!.aborted).toBe(true);

    const c4 = new AbortController();
    c4.abort(new Error('already'));
    await expect(b.describe('g', client, summary('d'), c4.signal)).rejects.toThrow('already');
  });

  it('drops a caller that aborts before its batch leaves', async () => {
    const f = fake();
    const t = ticks();
    const b = new DescribeBatcher(f.describeTables, { defer: t.defer });
    const c = new AbortController();
    const p = b.describe('g', client, summary('a'), c.signal);
    const q = b.describe('g', client, summary('b'));
    c.abort(new Error('gone'));
    await expect(p).rejects.toThrow('gone');
    t.tick();
    expect(f.calls.map((x) => x.names)).toEqual([['b']]);
    f.calls[0]!.finish();
    expect((await q).logicalName).toBe('b');
  });

  it('batches with setImmediate by default', async () => {
    const f = fake();
    const b = new DescribeBatcher(f.describeTables);
    const asked = ['a', 'b'].map((n) => b.describe('g', client, summary(n)));
    await settled();
    expect(f.calls.map((c) => c.names)).toEqual([['a', 'b']]);
    f.calls[0]!.finish();
    expect(await Promise.all(asked)).toHaveLength(2);
  });
});
