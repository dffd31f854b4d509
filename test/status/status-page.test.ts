/**
 * The coordinator's status page in a real headless Chromium, against the real MongoDB-protocol store and Kafka.
 * The state DB is written by the coordinator's own code (foldEvent + StateStore.saveRun / commitWatermark /
 * markLoaded / markReconciled, and ConnectionStore.put as `dynsync connect` does) and the loader's counts in the shape
 * of the `run_loads` contract, so the page reads documents shaped exactly as in production.
 * The status server runs in-process on a ManualClock: every figure on the page is deterministic, and a view is
 * rebuilt only when the test moves the clock.
 *
 * Needs Debian's chromium: `apt-get update && apt-get install -y chromium` (as root). Skipped without it.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Admin } from 'kafkajs';
import type { Db, MongoClient } from 'mongodb';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ManualClock } from '../../services/shared/clock.ts';
import type { CoordinatorEvent, EventBody } from '../../services/contracts/control-messages.ts';
import { createProducer } from '../../services/shared/kafka.ts';
import { createLogger } from '../../services/shared/log.ts';
import type { LoadCounts } from '../../services/contracts/run-loads.ts';
import { tableTopicSpec } from '../../services/shared/topics.ts';
import { ConnectionStore } from '../../services/dataverse/connections/connection-store.ts';
import { DEFAULT_SCHEDULE } from '../../services/dataverse/connections/connection.ts';
import { emptyBook, foldEvent, type RunBook } from '../../services/coordinator/core/run-state.ts';
import { rootTaskId } from '../../services/coordinator/core/task-id.ts';
import { FULL_RANGE_START_MS } from '../../services/coordinator/core/windows.ts';
import { StateStore } from '../../services/coordinator/state-store.ts';
import { startStatusPageOrWarn, startStatusServer, type StatusServer } from '../../services/coordinator/status/status-server.ts';
import { addRunLoads } from '../support/run-loads.ts';
import { testKafka, testMongo, uniqueName } from '../support/servers.ts';
import type { HealingProducer } from '../../services/shared/healing-producer.ts';
import { tableTopic } from '../../services/contracts/topic-names.ts';
import { ensureTopics } from '../../services/shared/kafka-topics.ts';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`status page browser test SKIPPED: ${CHROMIUM} is missing (install it with: apt-get update && apt-get install -y chromium)`);

const MIN = 60_000;
const T = Date.UTC(2026, 2, 1, 10, 0, 0); // the status server's "now" at the first load
const STARTED = T - 10 * MIN; // 09:50:00Z
const T0 = STARTED - MIN; // run start (server time − safety lag): 09:49:00Z
const OLD_WATERMARK = T0 - 2 * 60 * MIN; // account's watermark from an earlier run: 07:49:00Z
const EVIL = `<img src=x onerror="window.__pwned=1">`;

/** `n` equal whole-second windows over [fromMs, toMs). */
function windows(fromMs: number, toMs: number, n: number) {
  const step = Math.floor((toMs - fromMs) / n / 1000) * 1000;
  return Array.from({ length: n }, (_, i) => ({ fromMs: fromMs + i * step, toMs: i === n - 1 ? toMs : fromMs + (i + 1) * step }));
}

describe.skipIf(!haveChromium)('coordinator status page in headless Chromium', () => {
  const connection = uniqueName('status');
  const loaderGroup = uniqueName('status-loader');
  const runId = `${connection}-full-20260301T095000Z-s`;
  const failedRunId = `${connection}-incremental-20260301T080000Z-s`;
  const reconciledRunId = `${connection}-full-20260301T070000Z-s`;
  const topic = tableTopic(connection, 'account');
  const clock = new ManualClock(T);
  const book: RunBook = emptyBook();
  const accountWindows = windows(FULL_RANGE_START_MS, T0, 4);
  const contactWindows = windows(FULL_RANGE_START_MS, T0, 2);
  const taskId = (table: string, w: { fromMs: number; toMs: number }) => rootTaskId(runId, table, w);
  let mongo: MongoClient;
  let db: Db;
  let store: StateStore;
  let admin: Admin;
  let producer: HealingProducer;
  let server: StatusServer;
  let context: BrowserContext;
  let page: Page;
  let userDataDir: string;
  const pageErrors: string[] = [];

  /** Folds an event the way the coordinator does, then writes the run projection with the coordinator's store. */
  async function apply(id: string, atMs: number, event: EventBody): Promise<void> {
    const e: CoordinatorEvent = { eventId: uniqueName('ev'), connection, runId: id, at: new Date(atMs), event };
    expect(foldEvent(book, e)).toBe('applied');
    await store.saveRun(book.runs.get(id)!, atMs);
  }
  /** Adds to the loader's counts of a run's table, as the loader does after each chunk. */
  const loaded = (id: string, table: string, counts: Partial<LoadCounts>) => addRunLoads(db, { runId: id, connection }, table, counts, new Date(T));
  const completed = (table: string, w: { fromMs: number; toMs: number }, count: number): EventBody => ({
    type: 'TaskCompleted', taskId: taskId(table, w), table, count, maxModifiedOn: new Date(w.toMs - 1000), topic: tableTopic(connection, table), offsets: [{ partition: 0, offset: count }], durationMs: 1000,
  });
  /** The visible text of an element; table cells are tab-separated (the space after a progress bar is dropped). */
  const text = async (selector: string) => (await page.locator(selector).innerText()).replace(/\t /g, '\t');

  beforeAll(async () => {
    mongo = await testMongo();
    db = mongo.db(uniqueName('it-status'));
    store = new StateStore(db);
    await new ConnectionStore(db).put({
      id: connection, orgUrl: 'https://acme.crm4.dynamics.com', tenantId: 'contoso.onmicrosoft.com', clientId: '11111111-2222-3333-4444-555555555555',
      flow: 'client-credentials', tables: ['account', 'contact'], schedule: { ...DEFAULT_SCHEDULE }, createdAt: new Date(T - 86_400_000), updatedAt: new Date(T - 86_400_000),
    });
    // an earlier full run, loaded, whose delete reconciliation tombstoned 3 account rows and could not compare contact
    const early = Date.UTC(2026, 2, 1, 7, 0, 0);
    const earlyWindow = { fromMs: FULL_RANGE_START_MS, toMs: early - MIN };
    const earlyTask = (table: string) => rootTaskId(reconciledRunId, table, earlyWindow);
    await apply(reconciledRunId, early, {
      type: 'RunStarted', kind: 'full', runStart: new Date(early - MIN), requestedBy: 'schedule',
      tables: ['account', 'contact'].map((table) => ({ table, from: new Date(FULL_RANGE_START_MS), to: new Date(early - MIN), taskIds: [earlyTask(table)] })),
    });
    for (const [table, count] of [['account', 1_000], ['contact', 20]] as const) {
      await apply(reconciledRunId, early + MIN, { type: 'TaskCompleted', taskId: earlyTask(table), table, count, maxModifiedOn: new Date(early - 2 * MIN), topic: tableTopic(connection, table), offsets: [{ partition: 0, offset: count }], durationMs: 1000 });
    }
    await apply(reconciledRunId, early + 2 * MIN, { type: 'RunCompleted', tables: ['account', 'contact'].map((table) => ({ table, count: 0, durationMs: 1000, watermark: new Date(early - MIN) })) });
    await loaded(reconciledRunId, 'account', { written: 10, unchanged: 990, deleted: 3 });
    await loaded(reconciledRunId, 'contact', { written: 20 });
    await store.markLoaded(reconciledRunId, early + 3 * MIN);
    await store.markReconciled(reconciledRunId, { account: { tombstoned: 3, candidates: 3, windows: 1 }, contact: { tombstoned: 0, candidates: 0, windows: 1, incomplete: `1 window not compared: ${EVIL}` } }, early + 4 * MIN);
    // an earlier incremental run that failed, with an error message that must be shown as text, never as markup
    await apply(failedRunId, T - 2 * 60 * MIN, { type: 'RunStarted', kind: 'incremental', runStart: new Date(T - 2 * 60 * MIN - MIN), requestedBy: 'schedule', tables: [] });
    await apply(failedRunId, T - 119 * MIN, { type: 'RunFailed', code: 'RUN_TIMEOUT', message: `boom ${EVIL}` });
    // the running full run: account 1/4 windows (1,500 records), contact complete (2/2, 300 records) with its watermark
    await apply(runId, STARTED, {
      type: 'RunStarted', kind: 'full', runStart: new Date(T0), requestedBy: 'cli:ops',
      tables: [
        { table: 'account', from: new Date(FULL_RANGE_START_MS), to: new Date(T0), taskIds: accountWindows.map((w) => taskId('account', w)) },
        { table: 'contact', from: new Date(FULL_RANGE_START_MS), to: new Date(T0), taskIds: contactWindows.map((w) => taskId('contact', w)) },
      ],
    });
    await apply(runId, T - 8 * MIN, completed('account', accountWindows[0]!, 1_500));
    await apply(runId, T - 6 * MIN, completed('contact', contactWindows[0]!, 100));
    await apply(runId, T - 5 * MIN, completed('contact', contactWindows[1]!, 200));
    await store.commitWatermark(connection, 'account', OLD_WATERMARK, 'an-earlier-run', OLD_WATERMARK + MIN);
    await store.commitWatermark(connection, 'contact', T0, runId, T - 5 * MIN);
    await loaded(runId, 'account', { written: 1_400, unchanged: 100 });
    await loaded(runId, 'contact', { unchanged: 300 });

    // Kafka: 5 records on the account topic that the loader group has not read
    admin = testKafka().admin();
    await admin.connect();
    await ensureTopics(admin, [tableTopicSpec(topic, 1)]);
    producer = createProducer(testKafka());
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: Array.from({ length: 5 }, (_, i) => ({ key: `id-${i}`, value: `v${i}` })) });

    server = await startStatusServer({ db, admin, loaderGroupId: loaderGroup, clock, log: createLogger('status-test', 'warn'), port: 0, sampleEveryMs: 0 });
    userDataDir = await mkdtemp(join(tmpdir(), 'dynsync-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1600, height: 1000 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text()); // CSP violations are reported here
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
  });

  afterAll(async () => {
    await context?.close();
    if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
    await server?.close();
    await producer?.disconnect();
    await admin?.disconnect();
    await mongo?.close(); // the unique database is left in place (no dropDatabase on the test store)
  });

  it('shows connections, runs, per-table progress, watermarks and lag, and follows changes live', async () => {
    await page.goto(server.url);
    expect(await page.title()).toBe('dynsync status');

    // per-table progress of the running run (rate = records / time since the run started; ETA by windows)
    const progress = await text('#s-progress tbody');
    // records extracted, then written, unchanged, tombstoned as the loader counted them
    expect(progress).toContain(`${connection}\t${runId}\taccount\t1/4 (25%)\t1,500\t1,400\t100\t0\t2.5/s\t30m00s\t1753-01-01 00:00:00Z\t2026-03-01 09:49:00Z\t-`);
    expect(progress).toContain(`contact\t2/2 (100%)\t300\t0\t300\t0\t-\tdone`);
    // runs: the running one first, the failed one with its error as plain text
    const runs = await text('#s-runs tbody');
    expect(runs.indexOf(runId)).toBeLessThan(runs.indexOf(failedRunId));
    expect(runs).toContain('running\tcli:ops\t2026-03-01 09:50:00Z');
    expect(runs).toContain(`RUN_TIMEOUT: boom ${EVIL}`);
    // the loaded full run: its sums and its incomplete reconciliation with the reason, as text
    expect(runs).toContain(`${reconciledRunId}\t${connection}\tfull\tloaded · reconcile incomplete\tschedule\t2026-03-01 07:00:00Z\t2026-03-01 07:02:00Z\t2026-03-01 07:03:00Z\t2/2 (100%)\t1,020\t30\t990\t3\t`);
    expect(runs).toContain(`reconcile incomplete: contact: 1 window not compared: ${EVIL}`);
    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('img').count()).toBe(0);
    // watermarks, connection, loader lag
    const watermarks = await text('#s-watermarks tbody');
    expect(watermarks).toContain(`${connection}\taccount\t2026-03-01 07:49:00Z\t2h11m\tan-earlier-run`);
    expect(watermarks).toContain(`${connection}\tcontact\t2026-03-01 09:49:00Z\t11m00s\t${runId}\t2026-03-01 09:55:00Z`);
    const connections = await text('#s-connections tbody');
    expect(connections).toContain(`${connection}\thttps://acme.crm4.dynamics.com\tclient-credentials\taccount, contact\tfull 0 2 * * * · incremental 0 */2 * * * (UTC)`);
    expect(connections).not.toContain('11111111-2222'); // only the whitelisted fields are read
    expect(await text('#s-lag tbody')).toContain(`${topic}\t1\t5\tnone\t5`);
    expect(await text('#sum-throughput')).toContain('-');

    // the DB and Kafka change: two more account windows complete 10 s later, the loader commits offset 3
    clock.advance(10_000);
    await apply(runId, T + 5_000, completed('account', accountWindows[1]!, 1_500));
    await apply(runId, T + 8_000, completed('account', accountWindows[2]!, 1_500));
    await admin.setOffsets({ groupId: loaderGroup, topic, partitions: [{ partition: 0, offset: '3' }] });

    // the page's script picks it up on its next poll (every 2 s), without a reload
    await expect.poll(() => text('#s-progress tbody'), { timeout: 20_000 }).toContain('account\t3/4 (75%)\t4,500');
    expect(await text('#s-lag tbody')).toContain(`${topic}\t1\t5\t3\t2`);
    expect(await text('#sum-throughput')).toContain('300/s'); // 3,000 more records in 10 s
    expect(await text('#conn-state')).toBe('live');
    expect(await page.locator('#chart-caption').innerText()).toMatch(/^latest 300\/s · peak 300\/s/);

    // one more sample so the chart draws a line
    clock.advance(10_000);
    await apply(runId, T + 15_000, completed('account', accountWindows[3]!, 500));
    await expect.poll(() => text('#sum-throughput'), { timeout: 20_000 }).toContain('50/s');
    expect(await text('#s-progress tbody')).toContain('account\t4/4 (100%)\t5,000');
    expect((await page.locator('#chart-line').getAttribute('points'))!.split(' ')).toHaveLength(2);
    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(pageErrors).toEqual([]);

    await mkdir('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/status-page.png', fullPage: true });
  });

  it('serves the same view as JSON without connection secrets or extra fields', async () => {
    const res = await fetch(new URL('api/status', server.url));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'sha256-/);
    const body = (await res.json()) as { data: { connections: Record<string, unknown>[]; runs: { runId: string; status: string }[] } };
    expect(Object.keys(body.data.connections[0]!).sort()).toEqual(['flow', 'id', 'orgUrl', 'schedule', 'tables', 'updatedAtMs']);
    expect(body.data.runs.map((r) => [r.runId, r.status])).toEqual([
      [runId, 'running'],
      [failedRunId, 'failed'],
      [reconciledRunId, 'loaded'],
    ]);
    const reconciled = (body.data.runs as unknown as { runId: string; reconcile: unknown; tables: { table: string; records: number; written: number | null; unchanged: number | null; tombstoned: number }[] }[]).find((r) => r.runId === reconciledRunId)!;
    expect(reconciled.reconcile).toEqual({ state: 'incomplete', incomplete: [{ table: 'contact', reason: `1 window not compared: ${EVIL}` }] });
    expect(reconciled.tables.map((t) => [t.table, t.records, t.written, t.unchanged, t.tombstoned])).toEqual([['account', 1_000, 10, 990, 3], ['contact', 20, 20, 0, 0]]);
  });

  it('a port already in use leaves the coordinator running without the page (a warning, a no-op handle)', async () => {
    const lines: string[] = [];
    const log = createLogger('status-test', 'warn', { write: (l: string) => lines.push(l) } as unknown as NodeJS.WritableStream);
    const handle = await startStatusPageOrWarn({ db, loaderGroupId: loaderGroup, clock, log, port: server.port, sampleEveryMs: 0 });
    await handle.close();
    expect(lines.join('')).toMatch(/status page not started/);
    expect((await fetch(new URL('api/status', server.url))).status).toBe(200); // the first server is untouched
  });

  it.each([
    ['POST', '127.0.0.1', 405],
    ['GET', 'attacker.example', 421],
    ['GET', 'localhost', 404],
  ])('refuses %s with Host %s (%s)', async (method, host, status) => {
    const code = await new Promise<number>((resolve, reject) => {
      const req = request(new URL(method === 'GET' && host === 'localhost' ? 'nope' : 'api/status', server.url), { method, headers: { host } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(code).toBe(status);
  });
});
