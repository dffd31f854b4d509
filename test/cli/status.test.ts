/**
 * `dynsync status` as a child process against the real MongoDB-protocol store. The state DB is written by the
 * coordinator's own code (foldEvent + StateStore.saveRun / commitWatermark / markLoaded / markReconciled), as the
 * coordinator would while a run progresses, and the loader's counts in the shape of the `run_loads` contract, so the
 * test checks the CLI against the real document shape: --once text and JSON (records extracted, written, unchanged,
 * tombstoned per table), following a run with plain lines and NDJSON until it completes (exit 0), a terminal redraw
 * through a pseudo-terminal, the idle view of a failed run (exit 1) with the watermarks, a loaded run whose delete
 * reconciliation is incomplete (in `status` and `runs`), and the usage errors.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Db, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoordinatorEvent, EventBody } from '../../services/contracts/control-messages.ts';
import type { LoadCounts } from '../../services/contracts/run-loads.ts';
import { ConnectionStore } from '../../services/dataverse/connections/connection-store.ts';
import { DEFAULT_SCHEDULE } from '../../services/dataverse/connections/connection.ts';
import { emptyBook, foldEvent, type RunBook } from '../../services/coordinator/core/run-state.ts';
import { rootTaskId } from '../../services/coordinator/core/task-id.ts';
import { FULL_RANGE_START_MS } from '../../services/coordinator/core/windows.ts';
import { StateStore } from '../../services/coordinator/state-store.ts';
import type { StatusSnapshot } from '../../services/cli/status-snapshot.ts';
import { addRunLoads } from '../support/run-loads.ts';
import { servers, testMongo, uniqueName } from '../support/servers.ts';
import { runDynsync } from './cli-harness.ts';
import { tableTopic } from '../../services/contracts/topic-names.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const MIN = 60_000;
const STARTED = Date.now() - 5 * MIN;
const T0 = Math.floor((STARTED - MIN) / 1000) * 1000;

/** `n` equal whole-second windows over [fromMs, toMs). */
function windows(fromMs: number, toMs: number, n: number) {
  const step = Math.floor((toMs - fromMs) / n / 1000) * 1000;
  return Array.from({ length: n }, (_, i) => ({ fromMs: fromMs + i * step, toMs: i === n - 1 ? toMs : fromMs + (i + 1) * step }));
}

/** A `dynsync` child whose output is watched while it runs. */
function follow(args: readonly string[], env: Record<string, string>, viaTerminal = false) {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DYNSYNC_')));
  const command = [process.execPath, 'bin/dynsync.js', ...args];
  // `script` runs the command on a pseudo-terminal, so stdout is a TTY (columns from COLUMNS via stty).
  const [file, argv] = viaTerminal ? ['script', ['-qefc', `stty cols 100; ${command.map((a) => `'${a}'`).join(' ')}`, '/dev/null']] : [command[0]!, command.slice(1)];
  const child = spawn(file, argv as string[], { cwd: root, env: { ...base, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exit = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
  return {
    exit,
    out: () => stdout,
    err: () => stderr,
    /** Resolves once stdout contains `text`; fails with the output so far after `timeoutMs`. */
    async waitFor(text: string, timeoutMs = 20_000): Promise<void> {
      const until = Date.now() + timeoutMs;
      while (!stdout.includes(text)) {
        if (Date.now() > until || child.exitCode !== null) throw new Error(`"${text}" not printed; stdout:\n${stdout}\nstderr:\n${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    kill: () => child.kill('SIGKILL'),
  };
}

describe('dynsync status', () => {
  const connection = uniqueName('st');
  const runId = `${connection}-full-run`;
  const failedRunId = `${connection}-incremental-run`;
  const account = windows(FULL_RANGE_START_MS, T0, 4);
  const contact = windows(FULL_RANGE_START_MS, T0, 2);
  const book: RunBook = emptyBook();
  let mongo: MongoClient;
  let db: Db;
  let store: StateStore;
  let env: Record<string, string>;

  /**
   * Folds events the way the coordinator does, then writes the run projection once with the coordinator's store
   * (several events in one write: no reading can see the states in between).
   */
  async function apply(id: string, ...events: EventBody[]): Promise<void> {
    for (const event of events) {
      const at = new Date(event.type === 'RunStarted' && id === runId ? STARTED : Date.now()); // the main run started 5 min ago
      const e: CoordinatorEvent = { eventId: uniqueName('ev'), connection, runId: id, at, event };
      expect(foldEvent(book, e)).toBe('applied');
    }
    await store.saveRun(book.runs.get(id)!, Date.now());
  }
  /** Adds to the loader's counts of a run's table, as the loader does after each chunk. */
  const loaded = (id: string, table: string, counts: Partial<LoadCounts>) => addRunLoads(db, { runId: id, connection }, table, counts);
  const completed = (table: string, w: { fromMs: number; toMs: number }, count: number): EventBody => ({
    type: 'TaskCompleted', taskId: rootTaskId(runId, table, w), table, count, maxModifiedOn: new Date(w.toMs - 1000), topic: tableTopic(connection, table), offsets: [{ partition: 0, offset: count }], durationMs: 1000,
  });

  beforeAll(async () => {
    mongo = await testMongo();
    const dbName = uniqueName('clistatus');
    db = mongo.db(dbName);
    store = new StateStore(db);
    env = { MONGODB_URI: servers.mongoUri(), DYNSYNC_STATE_DB: dbName, LOG_LEVEL: 'warn' };
    await new ConnectionStore(db).put({
      id: connection, orgUrl: 'https://acme.crm4.dynamics.com', tenantId: 'contoso.onmicrosoft.com', clientId: '11111111-2222-3333-4444-555555555555',
      flow: 'client-credentials', tables: ['account', 'contact'], schedule: { ...DEFAULT_SCHEDULE }, createdAt: new Date(STARTED), updatedAt: new Date(STARTED),
    });
    // a full run in progress: account 1/4 windows (1,500 records), contact complete (2/2, 300 records) with its watermark
    await apply(runId, {
      type: 'RunStarted', kind: 'full', runStart: new Date(T0), requestedBy: 'cli:ops',
      tables: [
        { table: 'account', from: new Date(FULL_RANGE_START_MS), to: new Date(T0), taskIds: account.map((w) => rootTaskId(runId, 'account', w)) },
        { table: 'contact', from: new Date(FULL_RANGE_START_MS), to: new Date(T0), taskIds: contact.map((w) => rootTaskId(runId, 'contact', w)) },
      ],
    });
    await apply(runId, completed('account', account[0]!, 1_500));
    await apply(runId, completed('contact', contact[0]!, 100));
    await apply(runId, completed('contact', contact[1]!, 200));
    await store.commitWatermark(connection, 'contact', T0, runId, Date.now());
    // the loader has loaded account's first window (1,400 written, 100 unchanged) and contact (all 300 unchanged)
    await loaded(runId, 'account', { written: 1_400, unchanged: 100 });
    await loaded(runId, 'contact', { unchanged: 300 });
  });

  afterAll(async () => {
    await mongo?.close(); // the unique database is left in place (no dropDatabase on the test store)
  });

  it('--once shows windows done/total, records and bars per table, as text and as JSON', async () => {
    const json = await runDynsync(['status', '--connection', connection, '--once', '--json'], env);
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    const snap = JSON.parse(json.stdout) as StatusSnapshot;
    expect(snap.active).toBe(true);
    expect(snap.watermarks).toBeUndefined();
    expect(snap.runs).toHaveLength(1);
    expect(snap.runs[0]).toMatchObject({ runId, connection, kind: 'full', status: 'running', windowsDone: 3, windowsTotal: 6, records: 1_800, written: 1_400, unchanged: 400, tombstoned: 0, fraction: 0.5, error: null, reconcile: { state: 'pending', incomplete: [] } });
    expect(snap.runs[0]!.tables).toEqual([
      expect.objectContaining({ table: 'account', windowsDone: 1, windowsTotal: 4, records: 1_500, written: 1_400, unchanged: 100, tombstoned: 0, fraction: 0.25 }),
      expect.objectContaining({ table: 'contact', windowsDone: 2, windowsTotal: 2, records: 300, written: 0, unchanged: 300, tombstoned: 0, fraction: 1, etaSeconds: 0 }),
    ]);
    // one reading: the rate is the average since the run started (about 5 minutes ago)
    expect(snap.runs[0]!.recordsPerSec).toBeGreaterThan(1_800 / 400);
    expect(snap.runs[0]!.recordsPerSec).toBeLessThan(1_800 / 200);

    const text = await runDynsync(['status', '--connection', connection, '--once'], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`${runId} (${connection}, full) running since`);
    // not a terminal: 100 columns, 30-cell ASCII bars
    expect(text.stdout).toMatch(/^ {2}TABLE +PROGRESS +WINDOWS +RECORDS +RATE +ETA +WRITTEN +UNCHANGED +TOMBSTONED$/m);
    expect(text.stdout).toMatch(/^ {2}account {2}\[#{7}-{23}\] +1\/4 \(25%\) +1,500 +\d\.\d\/s +\d+m\d\ds +1,400 +100 +0$/m);
    expect(text.stdout).toMatch(/^ {2}contact {2}\[#{30}\] +2\/2 \(100%\) +300 +- +done +0 +300 +0$/m);
    expect(text.stdout).toMatch(/^ {2}total {4}\[#{15}-{15}\] +3\/6 \(50%\) +1,800 .* 1,400 +400 +0$/m);
    expect(text.stdout).not.toContain('\u001b'); // not a terminal: no escape codes
  });

  it('follows the run with plain lines and NDJSON until it completes, then exits 0', async () => {
    const lines = follow(['status', '--connection', connection, '--interval', '0.2'], env);
    const ndjson = follow(['status', '--run', runId, '--json', '--interval', '0.2'], env);
    await lines.waitFor(`${runId} account windows 1/4 (25%) records 1,500 rate`);
    await lines.waitFor(`${runId} running windows 3/6 (50%) records 1,800 rate`);
    await ndjson.waitFor('\n');

    await apply(runId, completed('account', account[1]!, 1_500));
    await lines.waitFor(`${runId} account windows 2/4 (50%) records 3,000 rate`);
    await ndjson.waitFor('"windowsDone":4,');
    await store.commitWatermark(connection, 'account', T0, runId, Date.now());
    await apply(
      runId,
      completed('account', account[2]!, 1_000),
      completed('account', account[3]!, 500),
      { type: 'RunCompleted', tables: ['account', 'contact'].map((table) => ({ table, count: 0, durationMs: 1000, watermark: new Date(T0) })) },
    );

    expect(await lines.exit).toBe(0);
    expect(await ndjson.exit).toBe(0);
    const printed = lines.out().trimEnd().split('\n');
    expect(printed.at(-1)).toMatch(new RegExp(`^\\S+ \\S+ ${runId} completed windows 6/6 \\(100%\\) records 4,800 in \\d+m\\d\\ds written 1,400 unchanged 400 tombstoned 0$`));
    expect(printed.filter((l) => / account windows /.test(l)).map((l) => l.replace(/^.* account (windows \S+).*$/, '$1'))).toEqual(['windows 1/4', 'windows 2/4', 'windows 4/4']);
    expect(lines.err()).toBe('');

    const snaps = ndjson.out().trimEnd().split('\n').map((l) => JSON.parse(l) as StatusSnapshot);
    expect(snaps.map((s) => s.runs[0]!.windowsDone)).toEqual([3, 4, 6]);
    const last = snaps.at(-1)!;
    expect(last).toMatchObject({ active: false, runs: [{ runId, status: 'completed', windowsDone: 6, windowsTotal: 6, records: 4_800, etaSeconds: 0 }] });
    expect(last.watermarks?.map((m) => [m.table, m.watermark, m.runId])).toEqual([
      ['account', new Date(T0).toISOString(), runId],
      ['contact', new Date(T0).toISOString(), runId],
    ]);
  });

  it.skipIf(!existsSync('/usr/bin/script'))('redraws in place on a terminal and exits with the run', async () => {
    const id = `${connection}-tty-run`;
    const w = windows(FULL_RANGE_START_MS, T0, 2);
    await apply(id, { type: 'RunStarted', kind: 'full', runStart: new Date(T0), requestedBy: 'cli:ops', tables: [{ table: 'account', from: new Date(FULL_RANGE_START_MS), to: new Date(T0), taskIds: w.map((x) => rootTaskId(id, 'account', x)) }] });
    const tty = follow(['status', '--run', id, '--interval', '0.2'], env, true);
    await tty.waitFor('0/2 (0%)');
    await apply(id, { type: 'TaskCompleted', taskId: rootTaskId(id, 'account', w[0]!), table: 'account', count: 7, maxModifiedOn: new Date(T0 - 1000), topic: tableTopic(connection, 'account'), offsets: [], durationMs: 1 });
    await tty.waitFor('1/2 (50%)');
    await apply(id, { type: 'TaskCompleted', taskId: rootTaskId(id, 'account', w[1]!), table: 'account', count: 3, maxModifiedOn: new Date(T0 - 1000), topic: tableTopic(connection, 'account'), offsets: [], durationMs: 1 });
    await apply(id, { type: 'RunCompleted', tables: [{ table: 'account', count: 10, durationMs: 1000, watermark: new Date(T0) }] });
    expect(await tty.exit).toBe(0);
    const out = tty.out();
    expect(out).toContain('\u001b[?25l'); // cursor hidden while drawing...
    expect(out.endsWith('\u001b[?25h')).toBe(true); // ...and shown again at the end
    expect(out).toMatch(/\u001b\[\d+F\u001b\[0J/); // redrawn in place
    expect(out).toContain('█');
    expect(out).toMatch(/account +\[█+\] +2\/2 \(100%\) +10 +- +done +- +- +0/);
    expect(out).toContain('Watermarks:');
  });

  it('with no run in progress shows the latest run (failed: its error, exit 1) and the watermarks', async () => {
    await apply(failedRunId, { type: 'RunStarted', kind: 'incremental', runStart: new Date(T0 + MIN), requestedBy: 'schedule', tables: [] });
    await apply(failedRunId, { type: 'RunFailed', code: 'AUTH_CONSENT_REVOKED', message: 'run dynsync connect again' });
    const idle = await runDynsync(['status', '--connection', connection], env);
    expect(idle.code).toBe(1);
    expect(idle.stdout).toContain(`No run in progress for "${connection}". Latest run:\n${failedRunId} (${connection}, incremental) failed at `);
    expect(idle.stdout).toContain('  error: AUTH_CONSENT_REVOKED: run dynsync connect again');
    expect(idle.stdout).toMatch(new RegExp(`^ {2}${connection} +account +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ +${runId} `, 'm'));

    const done = await runDynsync(['status', '--run', runId, '--json'], env); // a finished run: one NDJSON line
    expect(done.code).toBe(0);
    expect(done.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(JSON.parse(done.stdout)).toMatchObject({ active: false, runs: [{ runId, status: 'completed' }] });
  });

  it('a loaded full run: records written, unchanged and tombstoned per table, and an incomplete reconciliation with its reason (status and runs)', async () => {
    await loaded(runId, 'account', { written: 2_950, unchanged: 50, deleted: 2 }); // the rest of account, and the 2 tombstones
    await store.markLoaded(runId, Date.now());
    const reason = '1 window (300 documents) not compared: Dataverse answered HTTP 503';
    await store.markReconciled(runId, { account: { tombstoned: 2, candidates: 3, windows: 1 }, contact: { tombstoned: 0, candidates: 0, windows: 1, incomplete: reason } }, Date.now());

    const once = await runDynsync(['status', '--run', runId, '--once'], env);
    expect(once.code).toBe(0);
    expect(once.stdout).toMatch(new RegExp(`^${runId} \\(${connection}, full\\) completed .*, loaded `, 'm'));
    expect(once.stdout).toContain(`\n  reconcile incomplete: contact: ${reason}\n`);
    expect(once.stdout).toMatch(/^ {2}account .* 4,500 +- +done +4,350 +150 +2$/m);
    expect(once.stdout).toMatch(/^ {2}contact .* 300 +- +done +0 +300 +0$/m);
    expect(once.stdout).toMatch(/^ {2}total .* 4,800 +- +done +4,350 +450 +2$/m);
    const json = JSON.parse((await runDynsync(['status', '--run', runId, '--once', '--json'], env)).stdout) as StatusSnapshot;
    expect(json.runs[0]).toMatchObject({ status: 'loaded', records: 4_800, written: 4_350, unchanged: 450, tombstoned: 2, reconcile: { state: 'incomplete', incomplete: [{ table: 'contact', reason }] } });

    const runs = await runDynsync(['runs', connection], env);
    expect(runs.code).toBe(0);
    expect(runs.stdout).toMatch(/^RUN +KIND +STATUS +STARTED +COMPLETED +LOADED +WINDOWS +RECORDS +WRITTEN +UNCHANGED +TOMBSTONED$/m);
    expect(runs.stdout).toMatch(new RegExp(`^${runId} +full +loaded .* 6/6 \\(100%\\) +4,800 +4,350 +450 +2$`, 'm'));
    expect(runs.stdout).toContain(`Run ${runId}: reconcile incomplete: contact: ${reason}\n`);
    const listed = JSON.parse((await runDynsync(['runs', connection, '--json'], env)).stdout) as { runs: { runId: string; tables: { table: string; records: number; written: number; unchanged: number; tombstoned: number }[] }[] };
    expect(listed.runs.find((r) => r.runId === runId)!.tables.map((t) => [t.table, t.records, t.written, t.unchanged, t.tombstoned])).toEqual([
      ['account', 4_500, 4_350, 150, 2],
      ['contact', 300, 0, 300, 0],
    ]);
  });

  it.each([
    [['status', '--connection', 'nope-x'], 'error [CONNECTION_NOT_FOUND]'],
    [['status', '--run', 'no-such-run'], 'run "no-such-run" not found'],
    [['status', '--interval', '0'], '--interval must be a number of seconds'],
    [['status', 'extra'], 'unexpected argument'],
  ])('refuses %j with exit code 2', async (args, message) => {
    const r = await runDynsync(args, env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it('--help describes the command', async () => {
    const r = await runDynsync(['status', '--help'], {});
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: dynsync status \[options\]/);
    expect(r.stdout).toContain('--connection <id>');
    expect(r.stdout).toContain('--once');
  });
});
