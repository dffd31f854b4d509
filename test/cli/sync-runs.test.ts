/**
 * The `dynsync` CLI end to end, as child processes: commands produced to the real Kafka `sync.commands` topic, and
 * the state views (watermarks, runs) of what the coordinator and the loader wrote to the real MongoDB-protocol store.
 * Connecting is connect.test.ts.
 */
import { userInfo } from 'node:os';
import { beforeAll, describe, expect, it } from 'vitest';
import { addRunLoads } from '../support/run-loads.ts';
import { testKafka, uniqueName } from '../support/servers.ts';
import { runDynsync } from './cli-harness.ts';
import { connectArgs, env, fx, state, useCliFixture } from './cli-fixture.ts';
import { COMMANDS_TOPIC } from '../../services/contracts/topic-names.ts';

const cc = uniqueName('cc');

useCliFixture();

beforeAll(async () => {
  // the connection the commands and views are about (connecting itself is tested in connect.test.ts)
  const r = await runDynsync(connectArgs(cc, ['--tables', 'account,contact']), env, fx.sim.clientSecret);
  expect(r.code, r.stderr).toBe(0);
});

describe('dynsync sync / resync', () => {
  it('produce the exact JSON command to sync.commands, keyed by connection id', async () => {
    const sync = await runDynsync(['sync', cc, '--tables', 'account,contact', '--json'], env);
    expect(sync.stderr).toBe('');
    expect(sync.code).toBe(0);
    const resync = await runDynsync(['resync', cc], env);
    expect(resync.code).toBe(0);
    expect(resync.stdout).toContain(`Full resync of "${cc}" (every table) requested: ${COMMANDS_TOPIC} partition`);
    const produced = JSON.parse(sync.stdout) as { partition: number; offset: string; command: { requestedAt: string } };

    const kafka = testKafka();
    const consumer = kafka.consumer({ groupId: uniqueName('cli-commands') });
    const seen: { partition: number; offset: string; key: string; value: string }[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: COMMANDS_TOPIC, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${seen.length} commands of ${cc} seen`)), 60_000);
        void consumer.run({
          eachMessage: async ({ partition, message }) => {
            if (message.key?.toString() !== cc) return;
            seen.push({ partition, offset: message.offset, key: message.key.toString(), value: message.value?.toString() ?? '' });
            if (seen.length === 2) {
              clearTimeout(timer);
              resolve();
            }
          },
        });
      });
    } finally {
      await consumer.disconnect();
    }
    const user = `cli:${userInfo().username}`;
    const [first, second] = seen;
    expect(first).toMatchObject({ partition: produced.partition, offset: produced.offset });
    expect(first!.value).toBe(JSON.stringify({ kind: 'refresh', connection: cc, tables: ['account', 'contact'], requestedBy: user, requestedAt: produced.command.requestedAt }));
    expect(new Date(produced.command.requestedAt).toISOString()).toBe(produced.command.requestedAt);
    const full = JSON.parse(second!.value) as Record<string, unknown>;
    expect(Object.keys(full)).toEqual(['kind', 'connection', 'requestedBy', 'requestedAt']);
    expect(full).toMatchObject({ kind: 'full-resync', connection: cc, requestedBy: user });
  });

  it('refuses an unknown connection and invalid table names without producing', async () => {
    const unknown = await runDynsync(['sync', 'nope'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('CONNECTION_NOT_FOUND');
    const bad = await runDynsync(['sync', cc, '--tables', 'Account;drop'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('is not a table logical name');
  });
});

describe('dynsync watermarks / runs', () => {
  it('show what the coordinator wrote, tolerating missing fields', async () => {
    await state().collection('watermarks').insertMany([
      { _id: `${cc}/account` as never, watermark: new Date('2026-03-01T10:00:00Z'), runId: 'run-2', updatedAt: new Date('2026-03-01T10:05:00Z') },
      { _id: `${cc}/contact` as never, watermark: new Date('2026-03-01T09:00:00Z') },
      { _id: `${cc}x/account` as never, watermark: new Date('2026-01-01T00:00:00Z') },
    ]);
    await state().collection('runs').insertMany([
      { _id: `run-1-${cc}` as never, connection: cc, kind: 'full', status: 'completed', startedAt: new Date('2026-03-01T08:00:00Z'), completedAt: new Date('2026-03-01T08:30:00Z'), tables: { account: { windowsDone: 4, windowsTotal: 4, records: 50 } } },
      { _id: `run-2-${cc}` as never, connection: cc, kind: 'incremental', status: 'running', startedAt: new Date('2026-03-01T10:00:00Z'), tables: [{ table: 'account', windowsDone: 1, windowsTotal: 4, records: 1234 }, { table: 'contact' }] },
    ]);
    await addRunLoads(state(), { runId: `run-1-${cc}`, connection: cc }, 'account', { written: 5, unchanged: 45 });
    const wm = await runDynsync(['watermarks', cc, '--json'], env);
    expect(wm.code).toBe(0);
    expect(JSON.parse(wm.stdout)).toEqual({
      connection: cc,
      watermarks: [
        { table: 'account', watermark: '2026-03-01T10:00:00.000Z', runId: 'run-2', updatedAt: '2026-03-01T10:05:00.000Z' },
        { table: 'contact', watermark: '2026-03-01T09:00:00.000Z' },
      ],
    });
    const wmText = await runDynsync(['watermarks', cc], env);
    expect(wmText.stdout).toMatch(/^account\s+2026-03-01 10:00:00Z\s+run-2\s+2026-03-01 10:05:00Z$/m);

    const runs = await runDynsync(['runs', cc, '--json'], env);
    expect(runs.code).toBe(0);
    const out = JSON.parse(runs.stdout) as { runs: { runId: string; status: string; windowsDone: number; windowsTotal: number; records: number }[] };
    expect(out.runs.map((r) => r.runId)).toEqual([`run-2-${cc}`, `run-1-${cc}`]);
    expect(out.runs[0]).toMatchObject({ status: 'running', windowsDone: 1, windowsTotal: 4, records: 1234 });
    expect(out.runs[1]).toMatchObject({ status: 'completed', windowsDone: 4, windowsTotal: 4, records: 50, written: 5, unchanged: 45, tombstoned: 0 }); // tables keyed by name; the loader's counts
    const runsText = await runDynsync(['runs', cc], env);
    expect(runsText.stdout).toMatch(new RegExp(`^run-2-${cc}\\s+incremental\\s+running\\s+2026-03-01 10:00:00Z\\s+-\\s+-\\s+1/4 \\(25%\\)\\s+1,234\\s+-\\s+-\\s+0$`, 'm'));
    expect(runsText.stdout).toMatch(new RegExp(`^run-1-${cc}\\s+full\\s+completed\\s+.*\\s+4/4 \\(100%\\)\\s+50\\s+5\\s+45\\s+0$`, 'm'));
    expect(runsText.stdout).toMatch(/^\s+contact\s+-\s+-\s+-\s+-\s+0$/m);
  });
});
