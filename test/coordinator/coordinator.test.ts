import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Long } from 'mongodb';
import { ConfigResourceTypes } from 'kafkajs';
import { type CoordinatorEvent, type EventBody } from '../../services/contracts/control-messages.ts';
import { decodeRecordHeaders } from '../../services/contracts/record-headers.ts';
import { FULL_RANGE_START_MS } from '../../services/coordinator/core/windows.ts';
import { keyPartition } from '../../services/shared/key-partition.ts';
import { eventually, type ServiceProcess } from '../../harness/service-process.ts';
import { uniqueName } from '../support/servers.ts';
import { startCoordinatorBench, type CoordinatorBench } from '../support/coordinator-bench.ts';
import { tableTopic, COMMANDS_TOPIC } from '../../services/contracts/topic-names.ts';

const connection = uniqueName('coord');
const stateDb = uniqueName('cstate');
const loaderGroup = uniqueName('fake-loader');
const coordinatorGroup = uniqueName('it-coordinator');
const OVERLAP_MS = 300_000;

describe('coordinator on real Kafka, registry, store and the simulator', () => {
  let bench: CoordinatorBench;
  let coordinator: ServiceProcess;

  const start = () =>
    bench.coordinator({
      COORDINATOR_GROUP_ID: coordinatorGroup,
      COORDINATOR_LOADER_GROUP_ID: loaderGroup,
      COORDINATOR_MAX_ATTEMPTS: '3',
      COORDINATOR_WINDOWS_PER_TABLE: '4',
      // probed windows and a delta task per table, never one window read in one go (retries and splits among windows)
      COORDINATOR_SINGLE_TASK_ROWS: '0',
      COORDINATOR_OVERLAP_MS: String(OVERLAP_MS),
    });
  const command = (body: unknown, key: string | null = connection) =>
    bench.producer.send({ topic: COMMANDS_TOPIC, acks: -1, messages: [{ key, value: typeof body === 'string' ? body : JSON.stringify(body) }] });
  const of = <T extends EventBody['type']>(type: T) => bench.fx.events.filter((e): e is CoordinatorEvent & { event: Extract<EventBody, { type: T }> } => e.event.type === type);
  const startedRuns = () => of('RunStarted');
  const completedRun = (runId: string) => of('RunCompleted').find((e) => e.runId === runId);
  const watermark = async (table: string) => (await bench.mongo.db(stateDb).collection('watermarks').findOne({ _id: `${connection}/${table}` as never }))?.watermark as Date | undefined;
  const runDoc = (runId: string) => bench.mongo.db(stateDb).collection('runs').findOne({ _id: runId as never });
  const nextRun = async (count: number) => eventually(async () => startedRuns()[count - 1], 60_000);
  const opsUrl = async () => `http://127.0.0.1:${await coordinator.opsPort()}`;
  /** Polls the coordinator's `/health/ready` (every `everyMs`) until it answers 200. */
  const ready = async (everyMs?: number) => {
    const ops = await opsUrl();
    await eventually(async () => (await fetch(`${ops}/health/ready`)).ok, 60_000, everyMs);
  };
  /** Polls `/health/ready` until it answers 200, then reads the replaying-partitions gauge (right after that answer). */
  const replayingWhenReady = async () => {
    await ready(5);
    const metrics = await (await fetch(`${await opsUrl()}/metrics`)).text();
    return Number(/dynsync_coordinator_owned_partitions\{[^}]*state="replaying"[^}]*\} (\d+)/.exec(metrics)?.[1] ?? 'NaN');
  };

  beforeAll(async () => {
    bench = await startCoordinatorBench({ rows: 200, stateDb, connections: [{ id: connection, tables: ['account', 'contact'] }] });
    coordinator = start();
    await ready();
  });

  afterAll(async () => {
    await coordinator?.kill('SIGKILL');
    await bench?.close();
  });

  it('a refresh command runs every table: full range without watermark, retries a failed window, follows a split, commits watermark = T0', async () => {
    const failedOnce = new Set<string>();
    let split = false;
    bench.fx.policy = (task) => {
      if (task.table === 'account' && task.attempt === 0 && failedOnce.size === 0) {
        failedOnce.add(task.taskId);
        return { kind: 'fail', retriable: true };
      }
      if (task.table === 'contact' && !split) {
        split = true;
        return { kind: 'split' };
      }
      return { kind: 'complete' };
    };
    await command({ kind: 'refresh', connection, requestedBy: 'it' });
    const started = await nextRun(1);
    const t0 = started.event.runStart.getTime();
    expect(t0 % 1000).toBe(0);
    expect(Math.abs(Date.now() - 60_000 - t0)).toBeLessThan(30_000); // server time − 60 s lag
    expect(started.event.kind).toBe('incremental');
    expect(started.event.tables.map((t) => [t.table, t.from.getTime(), t.to.getTime()])).toEqual([
      ['account', FULL_RANGE_START_MS, t0],
      ['contact', FULL_RANGE_START_MS, t0],
    ]);
    expect(started.event.tables.every((t) => t.taskIds.length > 1)).toBe(true); // never one giant window
    const done = await eventually(async () => completedRun(started.runId), 60_000);
    const retried = bench.fx.tasks.filter((t) => failedOnce.has(t.taskId));
    expect(retried.map((t) => t.attempt)).toEqual([0, 1]);
    expect(done.event.tables.map((t) => [t.table, t.watermark.getTime()])).toEqual([
      ['account', t0],
      ['contact', t0],
    ]);
    // contact: one window split into two children of 2 rows each, the other windows 1 row each
    expect(done.event.tables.find((t) => t.table === 'contact')!.count).toBe(started.event.tables[1]!.taskIds.length - 1 + 4);
    expect((await watermark('account'))?.getTime()).toBe(t0);
    expect((await watermark('contact'))?.getTime()).toBe(t0);
    // no records produced: loaded as soon as it completed; reconciliation is for full runs only
    const doc = await eventually(async () => {
      const d = await runDoc(started.runId);
      return d?.status === 'loaded' ? d : undefined;
    }, 30_000);
    expect(doc).toMatchObject({ connection, kind: 'incremental', reconcile: 'skipped' });
    expect(doc.tables.contact).toMatchObject({ windowsDone: started.event.tables[1]!.taskIds.length + 1, windowsTotal: started.event.tables[1]!.taskIds.length + 1 });
  });

  it('a coordinator killed mid-run resumes it after a restart; the incremental starts at watermark − overlap', async () => {
    const previous = (await watermark('account'))!.getTime();
    bench.fx.policy = () => ({ kind: 'hold' });
    const before = bench.fx.tasks.length;
    // Dataverse's clock (the simulator's) moves on by an hour: T0 comes from it, not from ours
    await fetch(`${bench.sim.controlUrl}/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ shiftSeconds: 3600 }) });
    await command({ kind: 'refresh', connection, requestedBy: 'it' });
    const started = await nextRun(2);
    expect(started.event.tables.map((t) => t.from.getTime())).toEqual([previous - OVERLAP_MS, previous - OVERLAP_MS]);
    const total = started.event.tables.reduce((n, t) => n + t.taskIds.length, 0);
    const held = await eventually(async () => (bench.fx.tasks.length - before >= total ? bench.fx.tasks.slice(before) : undefined), 30_000);
    const half = Math.floor(held.length / 2);
    for (const t of held.slice(0, half)) await bench.fx.answer(t, { kind: 'complete' });
    await eventually(async () => ((await runDoc(started.runId))?.tables.account.windowsDone ?? 0) + ((await runDoc(started.runId))?.tables.contact.windowsDone ?? 0) >= half, 30_000);
    expect(await coordinator.kill('SIGKILL')).toBe('SIGKILL');
    bench.fx.policy = () => ({ kind: 'complete' });
    for (const t of held.slice(half)) await bench.fx.answer(t, { kind: 'complete' });
    coordinator = start();
    // ready only once every owned partition replayed its events up to the end (the running run is rebuilt)
    expect(await replayingWhenReady()).toBe(0);
    const done = await eventually(async () => completedRun(started.runId), 90_000);
    const t0 = started.event.runStart.getTime();
    expect(t0 - previous).toBeGreaterThanOrEqual(3_600_000);
    expect(done.event.tables.map((t) => t.watermark.getTime())).toEqual([t0, t0]);
    expect((await watermark('account'))?.getTime()).toBe(t0);
    expect(startedRuns()).toHaveLength(2); // the restart did not start the command's run again
  });

  it('the watermark never moves backwards', async () => {
    const future = new Date(Date.now() + 10 * 86_400_000);
    await bench.mongo.db(stateDb).collection('watermarks').updateOne({ _id: `${connection}/account` as never }, { $set: { watermark: future } });
    await command({ kind: 'refresh', connection, tables: ['account'], requestedBy: 'it' });
    const started = await nextRun(3);
    expect(started.event.tables).toHaveLength(1);
    // watermark − overlap is past T0: no window to extract, only the delta task of the change-tracked table
    expect(started.event.tables[0]!.taskIds).toEqual([`${started.runId}/account/delta`]);
    const done = await eventually(async () => completedRun(started.runId), 60_000);
    expect(done.event.tables[0]!.watermark.getTime()).toBe(future.getTime());
    expect((await watermark('account'))?.getTime()).toBe(future.getTime());
  });

  it('a command sent while the coordinator is down, on a sync.commands partition the group never read a command from, is handled after the restart', async () => {
    // (before the DLQ test below, whose random keys may use other partitions)
    const dlq = await bench.deadLetters();
    const partitions = (await bench.admin.fetchTopicMetadata({ topics: [COMMANDS_TOPIC] })).topics[0]!.partitions.length;
    let key: string;
    do key = uniqueName('idle-partition');
    while (keyPartition(key, partitions) === keyPartition(connection, partitions));
    expect(await coordinator.kill('SIGKILL')).toBe('SIGKILL');
    await command({ kind: 'refresh', connection: key, requestedBy: 'it' }, key);
    coordinator = start();
    // an unknown connection: handled = rejected to sync.dlq (a partition reset to its end would skip it)
    const got = await eventually(async () => dlq.find((d) => d.key === key), 90_000);
    expect(got.code).toBe('CONNECTION_NOT_FOUND');
  });

  it('rejects malformed or unknown commands to sync.dlq with the reason', async () => {
    const dlq = await bench.deadLetters();
    const tag = randomUUID();
    await command('{"kind":"refresh"', `${tag}-json`);
    await command({ kind: 'wipe', connection, requestedBy: 'x' }, `${tag}-kind`);
    // sync.dlq is shared and read from its beginning: wait for these two letters, not for any two
    const mine = (suffix: string) => dlq.find((d) => d.key === `${tag}-${suffix}`);
    const [json, kind] = await eventually(async () => (mine('json') && mine('kind') ? [mine('json'), mine('kind')] : undefined), 30_000);
    expect(json).toMatchObject({ code: 'COMMAND_INVALID', message: expect.stringMatching(/not JSON/) });
    expect(kind).toMatchObject({ code: 'COMMAND_INVALID', message: expect.stringMatching(/kind/) });
  });

  it('rejects a command for an unknown connection to sync.dlq, logged once, without trying to start a run', async () => {
    const dlq = await bench.deadLetters();
    const stranger = `unknown-${randomUUID()}`;
    await command({ kind: 'refresh', connection: stranger, requestedBy: 'x' }, stranger);
    const letter = await eventually(async () => dlq.find((d) => d.key === stranger), 30_000);
    expect(letter).toMatchObject({ code: 'CONNECTION_NOT_FOUND' });
    const about = () => coordinator.logs.filter((l) => JSON.stringify(l).includes(stranger));
    await eventually(async () => (about().length > 0 ? true : undefined), 30_000).catch((err: Error) => {
      throw new Error(`${err.message}; the coordinator's last log lines: ${JSON.stringify(coordinator.logs.slice(-5))}`);
    });
    await new Promise((r) => setTimeout(r, 1000)); // a second log line would follow at once
    expect(about().map((l) => l.msg)).toEqual([expect.stringMatching(/^command rejected to sync\.dlq/)]);
  });

  it('a full resync, once completed and loaded, tombstones documents it did not see', async () => {
    const topic = tableTopic(connection, 'account');
    const db = bench.mongo.db(`dynsync_${connection}`).collection<Record<string, unknown>>('account');
    const truth = await (await fetch(`${bench.sim.controlUrl}/tables/account/truth`)).text();
    const alive = (JSON.parse(truth.split('\n')[0]!) as { accountid: string }).accountid;
    const gone = randomUUID();
    const old = new Date(Date.UTC(2026, 0, 1));
    const sync = (version: number) => ({ version: Long.fromNumber(version), modifiedon: old, runStart: old, deleted: false, runId: 'old' });
    await db.insertMany([
      { _id: gone, name: 'deleted in Dataverse', _sync: sync(5) },
      { _id: alive, name: 'modified after T0', _sync: sync(6) },
    ] as never);
    // the fake extractor reports one record at offset 0: it must be in the topic (the coordinator checks what a
    // TaskCompleted claims before the watermark moves, core/produced-check.ts)
    await bench.producer.send({ topic, acks: -1, messages: [{ key: 'produced-by-the-fake-extractor', value: 'x', partition: 0 }] });
    bench.fx.policy = () => ({ kind: 'complete', offsets: [{ partition: 0, offset: 1 }] });
    await command({ kind: 'full-resync', connection, tables: ['account'], requestedBy: 'admin' });
    const started = await nextRun(4);
    expect(started.event.kind).toBe('full');
    expect(started.event.tables[0]!.from.getTime()).toBe(FULL_RANGE_START_MS);
    await eventually(async () => completedRun(started.runId), 60_000);
    // the watermark stays where it was (a later value), the run is completed but not loaded: no tombstone yet
    // (the projection is saved just after RunCompleted is published: wait until it leaves 'running'; an earlier
    // save of the run, still 'running', must not end the wait)
    const settled = async () => {
      const status = (await runDoc(started.runId))?.status;
      return status !== undefined && status !== 'running' ? status : undefined;
    };
    expect(await eventually(settled, 10_000)).toBe('completed');
    const tombstones: { key: string; headers: ReturnType<typeof decodeRecordHeaders>; value: Buffer | null }[] = [];
    await bench.consume(topic, (message) => void (message.value === null && tombstones.push({ key: message.key!.toString(), headers: decodeRecordHeaders(message.headers), value: message.value })));
    await bench.admin.setOffsets({ groupId: loaderGroup, topic, partitions: [{ partition: 0, offset: '1' }] });
    await eventually(async () => (await runDoc(started.runId))?.reconcile === 'done', 60_000);
    const got = await eventually(async () => (tombstones.length > 0 ? tombstones : undefined), 30_000);
    expect(got.map((t) => t.key)).toEqual([gone]);
    expect(got[0]).toMatchObject({ value: null, headers: { syncKind: 'full', runId: started.runId, runStartMs: started.event.runStart.getTime(), modifiedOnMs: old.getTime(), version: 5n } });
    expect(await runDoc(started.runId)).toMatchObject({ status: 'loaded', tombstones: { account: 1 } });
  });

  it('declares a run\'s table topics: an existing one weaker than configured is reported once, by topic', async () => {
    const topic = tableTopic(connection, 'contact');
    await bench.admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name: 'cleanup.policy', value: 'delete' }] }] });
    // a fresh process: each compares a topic with its spec once
    await coordinator.kill('SIGTERM');
    coordinator = start();
    await ready();
    bench.fx.policy = () => ({ kind: 'complete' });
    await command({ kind: 'refresh', connection, requestedBy: 'it' });
    const started = await nextRun(5);
    await eventually(async () => completedRun(started.runId), 60_000);
    const weaker = coordinator.logs.filter((l) => String(l.msg).includes('weaker than configured'));
    expect(weaker.map((l) => l.topic)).toEqual([topic]);
    expect(String(weaker[0]!.msg)).toContain('cleanup.policy delete, configured compact');
  });
});
