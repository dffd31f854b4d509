/**
 * `dynsync verify` as a child process against the in-process simulator and the real MongoDB-protocol store. The
 * connection's database is filled with documents in the stored shape (services/contracts/stored-document.ts) from the
 * simulator's truth, as the loader would have written them; then the source and the store are changed in known
 * ways and the reported counts must be exact. Every run asserts that verify wrote nothing: the store's documents are
 * byte-identical before and after, and the simulator saw no request but GETs.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Long, type Db, type MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableDatabase, type StoredSync } from '../../services/contracts/stored-document.ts';
import { ChunkCutter } from '../../services/dataverse/compare/windows.ts';
import type { VerifyReport } from '../../services/cli/verify-view.ts';
import { startFixture, type SimFixture } from '../../harness/sim-fixture.ts';
import { testMongo, uniqueName } from '../support/servers.ts';
import { cliEnv, runDynsync, type CliResult } from './cli-harness.ts';

/** Rows of account: more than one comparison window (5,000 documents), so a modified row can move to a later one. */
const ACCOUNTS = 6_000;
const RUN_START = new Date('2026-03-01T00:00:00Z');

let fx: SimFixture;
let env: Record<string, string>;
let mongo: MongoClient;
let store: Db;
const connection = uniqueName('verify');

/** The control API; DELETE and PATCH answer with or without a body. */
async function control(method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${fx.sim.controlUrl}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  if (!res.ok) throw new Error(`control ${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** The live rows of a table as the simulator holds them: id, exact versionnumber, modifiedon. */
async function truth(table: string, pk: string): Promise<{ id: string; version: string; modifiedon: string }[]> {
  const res = await fetch(`${fx.sim.controlUrl}/tables/${table}/truth`);
  const lines = (await res.text()).split('\n').filter((l) => l.trim() !== '');
  const exact = (_k: string, v: unknown, ctx?: { source?: string }) => (typeof v === 'number' && ctx?.source ? ctx.source : v);
  return lines.map((l) => JSON.parse(l, exact) as Record<string, string>).map((r) => ({ id: r[pk]!, version: String(r.versionnumber), modifiedon: r.modifiedon! }));
}

/** A document as the loader stores it (the values do not matter to verify; `_id` and `_sync` do). */
function storedDoc(r: { id: string; version: string; modifiedon: string }) {
  const sync: StoredSync = { version: Long.fromString(r.version), modifiedon: new Date(r.modifiedon), runStart: RUN_START, hash: 'test', deleted: false };
  return { _id: r.id, name: `row ${r.id.slice(0, 8)}`, _sync: sync };
}

/** A digest of every document of the connection's tables (to prove verify changed nothing). */
async function storeDigest(): Promise<string> {
  const h = createHash('sha256');
  for (const table of ['account', 'contact']) for await (const doc of store.collection(table).find({}).sort({ _id: 1 })) h.update(JSON.stringify(doc));
  return h.digest('hex');
}

/** Runs verify; checks that nothing was written to the store or sent to Dataverse but GETs. */
async function verify(args: string[] = [], extraEnv: Record<string, string> = {}): Promise<CliResult & { report?: VerifyReport }> {
  const before = await storeDigest();
  const r = await runDynsync(['verify', connection, ...args], { ...env, ...extraEnv });
  expect(await storeDigest()).toBe(before);
  expect(((await control('GET', '/non-get')) as { count: number }).count).toBe(0);
  return args.includes('--json') && r.stdout.startsWith('{') ? { ...r, report: JSON.parse(r.stdout) as VerifyReport } : r;
}

const zero = { missing: 0, extra: 0, stale: 0, incomplete: null };

beforeAll(async () => {
  fx = await startFixture({ rows: 40, tableRows: { account: ACCOUNTS } });
  env = cliEnv(fx.sim);
  mongo = await testMongo();
  store = mongo.db(tableDatabase('dynsync_', connection));
  const connect = await runDynsync(['connect', '--name', connection, '--org', fx.sim.orgUrl, '--tenant', fx.sim.tenantId, '--client-id', fx.sim.clientId, '--client-secret-stdin', '--tables', 'account,contact'], env, fx.sim.clientSecret);
  expect(connect.code, connect.stderr).toBe(0);
  for (const [table, pk] of [['account', 'accountid'], ['contact', 'contactid']] as const) {
    await store.collection(table).insertMany((await truth(table, pk)).map(storedDoc) as never[]);
  }
});

afterAll(async () => {
  await mongo?.close(); // the unique database is left in place (no dropDatabase on the test store)
  await fx?.sim.close();
});

describe('dynsync verify', () => {
  it('a store equal to the source: every table whole, exit 0', async () => {
    const r = await verify(['--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.report).toMatchObject({ connection, database: `dynsync_${connection}`, whole: true, total: { tables: 2, source: ACCOUNTS + 40, stored: ACCOUNTS + 40, missing: 0, extra: 0, stale: 0, incomplete: 0 } });
    expect(r.report!.tables.map((t) => [t.table, t.source, t.stored])).toEqual([['account', ACCOUNTS, ACCOUNTS], ['contact', 40, 40]]);
    expect(r.report!.tables[0]).toMatchObject(zero);
    expect(r.report!.tables[0]!.windows).toBeGreaterThan(1);
    expect(r.stderr).toMatch(/^verified account in \d+\.\d s: 6,000 source rows, 6,000 documents: 0 missing, 0 extra, 0 stale$/m);

    const text = await verify();
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^account +6,000 +6,000 +0 +0 +0 +ok$/m);
    expect(text.stdout).toMatch(/^total +6,040 +6,040 +0 +0 +0 +ok$/m);
    expect(text.stdout).toContain(`The copy of "${connection}" (database dynsync_${connection}) is whole: 2 tables, 6,040 rows, nothing missing, extra or stale.`);
  });

  it('counts exactly what was deleted and updated at the source and changed in the store', async () => {
    const rows = await truth('account', 'accountid');
    // the rows of the first comparison window, cut as verify cuts them (oldest documents first)
    const sorted = [...rows].sort((a, b) => Date.parse(a.modifiedon) - Date.parse(b.modifiedon));
    const cutter = new ChunkCutter(5_000);
    let firstWindow: Set<string> | undefined;
    for (const r of sorted) {
      const done = cutter.push({ id: r.id, version: 0n, modifiedOnMs: Date.parse(r.modifiedon) });
      if (done) firstWindow ??= new Set(done.rows.keys());
    }
    expect(firstWindow, 'account spans more than one window').toBeDefined();
    const [deleted1, deleted2, moved1, moved2, moved3, gone] = sorted.filter((r) => firstWindow!.has(r.id)).map((r) => r.id);
    const newest = sorted[sorted.length - 1]!.id;
    const soft = sorted[10]!.id;

    await control('DELETE', `/tables/account/rows/${deleted1}`); // deleted at the source: extra
    await control('DELETE', `/tables/account/rows/${deleted2}`);
    for (const id of [moved1, moved2, moved3]) await control('PATCH', `/tables/account/rows/${id}`, { values: { name: 'changed' } }); // modified now: in the last window, stale
    await control('PATCH', `/tables/account/rows/${newest}`, { values: { name: 'changed too' } }); // stays in the last window, new version: stale
    await store.collection('account').deleteOne({ _id: gone as never }); // lost from the store: missing
    await store.collection('account').updateOne({ _id: soft as never }, { $set: { '_sync.deleted': true } }); // soft-deleted but alive at the source: missing
    const bogus = randomUUID();
    await store.collection('account').insertOne(storedDoc({ id: bogus, version: '1', modifiedon: '2021-06-01T00:00:00Z' }) as never); // never at the source: extra

    const r = await verify(['--json']);
    expect(r.code, r.stderr).toBe(1);
    const account = r.report!.tables.find((t) => t.table === 'account')!;
    expect(account).toMatchObject({ source: ACCOUNTS - 2, stored: ACCOUNTS - 1, missing: 2, extra: 3, stale: 4, incomplete: null });
    expect(account.examples.missing.sort()).toEqual([gone, soft].sort());
    expect(account.examples.extra.sort()).toEqual([deleted1, deleted2, bogus].sort());
    expect(account.examples.stale.sort()).toEqual([moved1, moved2, moved3, newest].sort());
    expect(r.report!.tables.find((t) => t.table === 'contact')).toMatchObject({ ...zero, source: 40, stored: 40 });
    expect(r.report!.whole).toBe(false);

    const text = await verify();
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^account +5,998 +5,999 +2 +3 +4 +differs$/m);
    expect(text.stdout).toContain(`account: extra e.g. `);
    expect(text.stdout).toContain(`The copy of "${connection}" (database dynsync_${connection}) differs from Dataverse: 2 missing, 3 extra, 4 stale.`);

    const contactOnly = await verify(['--tables', 'contact']);
    expect(contactOnly.code).toBe(0);
  });

  it('a listing that cannot be attributed (a row without its primary id) makes the table incomplete: exit 1, nothing concluded', async () => {
    const [victim] = await truth('contact', 'contactid');
    await control('POST', '/faults', { rowFaults: [{ table: 'contact', id: victim!.id, unset: ['contactid'] }] });
    try {
      const r = await verify(['--tables', 'contact', '--json']);
      expect(r.code).toBe(1);
      expect(r.report!.tables[0]).toMatchObject({ table: 'contact', missing: 0, extra: 0, stale: 0, stored: 40, source: 0 });
      expect(r.report!.tables[0]!.incomplete).toBe('1 window (40 documents) not compared; Dataverse listed a row of contact without its primary id contactid: rows of this window cannot be attributed, so nothing is concluded from it');
      const text = await verify(['--tables', 'contact']);
      expect(text.stdout).toMatch(/^contact +0 +40 +0 +0 +0 +incomplete$/m);
      expect(text.stdout).toContain('contact: incomplete: 1 window (40 documents) not compared; Dataverse listed a row of contact without');
      expect(text.stdout).toContain('1 table not compared completely');
    } finally {
      await control('DELETE', '/faults');
    }
  });

  it('Dataverse failing every request: exit 4 with the reason, nothing written', async () => {
    await control('POST', '/faults', { errorRatio: 1, errorStatus: 503 });
    try {
      const r = await verify([], { DATAVERSE_RETRIES: '0' });
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/^dynsync: error \[DATAVERSE_UNAVAILABLE\]: /m);
      expect(r.stdout).toBe('');
    } finally {
      await control('DELETE', '/faults');
    }
  });

  it.each([
    [['verify', 'nope-x'], 'error [CONNECTION_NOT_FOUND]'],
    [['verify', '__C__', '--tables', 'new_widget'], '--tables: connection "__C__" does not sync table "new_widget" (its tables: account, contact)'],
    [['verify', '__C__', '--tables', 'Account;x'], 'is not a table logical name'],
    [['verify'], 'missing <connection>'],
  ])('refuses %j with one line and exit code 2', async (args, message) => {
    const r = await runDynsync(args.map((a) => a.replace('__C__', connection)), env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message.replace('__C__', connection));
    expect(r.stderr.trimEnd().split('\n').filter((l) => !l.startsWith('hint:'))).toHaveLength(1);
  });
});
