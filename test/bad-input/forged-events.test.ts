/**
 * Security, forged events and command floods (issue #22, item 2). ACLs are the real defence (kafka-auth.test.ts); as
 * defence in depth, the coordinator (a real process, on the real servers and the simulator) refuses a TaskCompleted
 * whose records are not in the table's own topic up to offsets that exist, failing the run with TASK_EVENT_INVALID
 * and leaving the watermark where it was, and rate-limits commands per connection (COMMAND_RATE_LIMITED to
 * sync.dlq). The extractor is played by test/coordinator/fake-extractor.ts, which answers what each test says.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type ServiceProcess } from '../../harness/service-process.ts';
import { startCoordinatorBench, type CoordinatorBench, type DeadLetter } from '../support/coordinator-bench.ts';
import { tableTopic, COMMANDS_TOPIC } from '../../services/contracts/topic-names.ts';

const suffix = randomBytes(3).toString('hex');
const connection = `forged${suffix}`;
const flooded = `flood${suffix}`;
const stateDb = `forgedstate_${suffix}`;

describe('forged task events and command floods', () => {
  let bench: CoordinatorBench;
  let coordinator: ServiceProcess;
  let dlq: DeadLetter[];
  const topic = tableTopic(connection, 'account');

  const command = (conn: string, kind: 'refresh' | 'full-resync') =>
    bench.producer.send({ topic: COMMANDS_TOPIC, acks: -1, messages: [{ key: conn, value: JSON.stringify({ kind, connection: conn, tables: ['account'], requestedBy: 'forged-events-test' }) }] });
  const runs = () => bench.mongo.db(stateDb).collection<{ _id: string; status: string; error: { code?: string; message?: string } | null }>('runs');
  const watermark = async () => (await bench.mongo.db(stateDb).collection('watermarks').findOne({ _id: `${connection}/account` as never }))?.watermark as Date | undefined;
  /** Sends a refresh and waits for its run to end; returns the run document. */
  const runOnce = async () => {
    const before = await runs().countDocuments({ connection });
    await command(connection, 'refresh');
    return eventually(async () => {
      const all = await runs().find({ connection }).sort({ startedAt: 1 }).toArray();
      const run = all.length > before ? all[all.length - 1] : undefined;
      return run && run.status !== 'running' ? run : undefined;
    }, 90_000, 300);
  };

  beforeAll(async () => {
    bench = await startCoordinatorBench({ rows: 100, stateDb, connections: [connection, flooded].map((id) => ({ id, tables: ['account'] })) });
    dlq = await bench.deadLetters();
    coordinator = bench.coordinator({
      COORDINATOR_GROUP_ID: `dynsync-coordinator-${connection}`, COORDINATOR_LOADER_GROUP_ID: `dynsync-loader-${connection}`,
      COORDINATOR_CONNECTIONS: `^(${connection}|${flooded})$`,
      COORDINATOR_WINDOWS_PER_TABLE: '1', COORDINATOR_DELTA_DELETES: 'false', COORDINATOR_RECONCILE_DELETES: 'false',
      COORDINATOR_COMMANDS_BURST: '3', COORDINATOR_COMMANDS_PER_HOUR: '1',
    });
    await eventually(async () => (await fetch(`http://127.0.0.1:${await coordinator.opsPort()}/health/ready`)).ok, 90_000);
  });

  afterAll(async () => {
    await coordinator?.kill('SIGKILL');
    await bench?.close();
  });

  it('warns once at start-up that development switches are set', () => {
    const warnings = coordinator.logs.filter((l) => String(l.msg).startsWith('DEVELOPMENT SWITCHES SET (DYNSYNC_DEV_ORIGINS, DYNSYNC_DEV_CA_PATH)'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.level).toBe('warn');
  });

  it('a TaskCompleted claiming records Kafka does not hold fails the run and leaves the watermark', async () => {
    bench.fx.policy = () => ({ kind: 'complete', count: 500, offsets: [{ partition: 0, offset: 500 }] }); // the topic is empty
    const run = await runOnce();
    expect(run.status).toBe('failed');
    expect(run.error?.code).toBe('TASK_EVENT_INVALID');
    expect(run.error?.message).toMatch(/reports offset 500 in dynamics\.forged\w+\.account\[0\], whose end is 0.*the watermark stays/);
    expect(await watermark()).toBeUndefined();
  });

  it("a TaskCompleted pointing at another connection's topic fails the run and leaves the watermark", async () => {
    const other = tableTopic(flooded, 'account');
    await bench.producer.send({ topic: other, acks: -1, messages: [{ key: 'someone-else', value: 'x', partition: 0 }] });
    bench.fx.policy = () => ({ kind: 'complete', count: 1, offsets: [{ partition: 0, offset: 1 }], topic: other });
    const run = await runOnce();
    expect(run.status).toBe('failed');
    expect(run.error?.message).toMatch(/reports its records in "dynamics\.flood\w+\.account", not in dynamics\.forged\w+\.account/);
    expect(await watermark()).toBeUndefined();
  });

  it('a TaskCompleted whose records are in the topic completes the run and moves the watermark', async () => {
    await bench.producer.send({ topic, acks: -1, messages: [{ key: 'a', value: 'x', partition: 0 }, { key: 'b', value: 'y', partition: 0 }] });
    bench.fx.policy = () => ({ kind: 'complete', count: 2, offsets: [{ partition: 0, offset: 2 }] });
    const run = await runOnce();
    expect(run.status).toBe('completed');
    expect(await watermark()).toBeInstanceOf(Date);
  });

  it('commands beyond the burst are dead-lettered with COMMAND_RATE_LIMITED, per connection', async () => {
    for (let i = 0; i < 5; i++) await command(flooded, 'full-resync');
    const limited = await eventually(async () => {
      const mine = dlq.filter((d) => d.key === flooded && d.code === 'COMMAND_RATE_LIMITED');
      return mine.length >= 2 ? mine : undefined;
    }, 60_000, 300);
    expect(limited).toHaveLength(2);
    expect(limited[0]!.message).toMatch(new RegExp(`^connection ${flooded} sent more commands than COORDINATOR_COMMANDS_BURST \\(3\\) and COORDINATOR_COMMANDS_PER_HOUR \\(1\\) allow: not carried out`));
    expect(dlq.filter((d) => d.key === connection)).toEqual([]); // the other connection's bucket is its own
    const metrics = await (await fetch(`http://127.0.0.1:${await coordinator.opsPort()}/metrics`)).text();
    expect(metrics).toMatch(/dynsync_coordinator_commands_total\{[^}]*outcome="rate-limited"[^}]*\} 2\n/);
  });
});
