/**
 * Invariant 6 for the extractor: a row it cannot map goes to sync.dlq with the reason, and its window continues.
 * The simulator serves two rows of `account` malformed (fault `rowFaults`: an integer column holding text, money
 * with more decimals than its scale); the extractor runs as a child process, the test plays the coordinator.
 */
import { randomBytes } from 'node:crypto';
import type { IHeaders } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startService, type ServiceProcess } from '../../harness/service-process.ts';
import { servers, testKafka } from '../support/servers.ts';
import { startExtractHarness, type ExtractHarness } from '../../harness/extract-harness.ts';
import { DLQ_TOPIC, tableTopic, TASKS_TOPIC } from '../../services/contracts/topic-names.ts';

interface Letter {
  key: string | undefined;
  value: Record<string, unknown>;
  headers: Record<string, string>;
}

const text = (headers: IHeaders | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k, String(Array.isArray(v) ? v[0] : v)]));

describe('extractor dead letters', () => {
  let h: ExtractHarness;
  let extractor: ServiceProcess | undefined;
  const kafka = testKafka(`xt-dlq-${randomBytes(4).toString('hex')}`);
  const admin = kafka.admin();

  beforeAll(async () => {
    h = await startExtractHarness({ brokers: servers.brokers(), registryUrl: servers.registryUrl(), mongoUri: servers.mongoUri(), env: servers.env() }, { rows: 300 });
    await admin.connect();
  });

  afterAll(async () => {
    await extractor?.kill('SIGKILL');
    await admin.disconnect();
    await h?.close();
  });

  /** The dead letters of `runId` written after `from` (per-partition offsets of sync.dlq taken before the run). */
  async function lettersOf(runId: string, from: { partition: number; offset: string }[], expected: number): Promise<Letter[]> {
    const groupId = `xt-dlq-read-${randomBytes(4).toString('hex')}`;
    await admin.setOffsets({ groupId, topic: DLQ_TOPIC, partitions: from });
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200 });
    const letters: Letter[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: DLQ_TOPIC });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const headers = text(message.headers);
          if (headers['run-id'] !== runId) return;
          letters.push({ key: message.key?.toString(), value: JSON.parse(message.value?.toString() ?? 'null') as Record<string, unknown>, headers });
        },
      });
      await eventually(async () => letters.length >= expected, 30_000, 100);
    } finally {
      await consumer.disconnect();
    }
    return letters;
  }

  it('sends an unmappable row to sync.dlq with the reason, and the window goes on with the other rows', async () => {
    const truth = [...(await h.truthIds('account'))].sort();
    expect(truth.length).toBe(300);
    // two rows in the middle of the table (so rows before and after them share their window)
    const badText = truth[100]!;
    const badMoney = truth[200]!;
    await h.control('POST', '/faults', {
      rowFaults: [
        { table: 'account', id: badText, set: { numberofemployees: 'many' } },
        { table: 'account', id: badMoney, set: { revenue: 1.00001 } },
      ],
    });
    const dlqStart = (await admin.fetchTopicOffsets(DLQ_TOPIC)).map((p) => ({ partition: p.partition, offset: p.high }));
    const env = h.extractorEnv({ EXTRACTOR_SESSION_TIMEOUT_MS: '10000' });
    // a caught-up group: start at the end of sync.tasks rather than skipping every task earlier tests left there
    const taskEnds = await admin.fetchTopicOffsets(TASKS_TOPIC);
    await admin.setOffsets({ groupId: env.EXTRACTOR_GROUP_ID!, topic: TASKS_TOPIC, partitions: taskEnds.map((p) => ({ partition: p.partition, offset: p.high })) });
    extractor = startService('extractor', env);
    const port = await extractor.opsPort();
    await eventually(async () => (await fetch(`http://127.0.0.1:${port}/health/ready`)).ok, 60_000);

    let run;
    try {
      run = await h.runTable('account', new Date('2000-01-01T00:00:00Z'), new Date(Date.now() + 2 * 86_400_000)).done;
    } finally {
      await h.control('DELETE', '/faults');
    }
    expect(run.failures).toEqual([]);
    expect(run.completed).toHaveLength(1); // 300 rows: one window, which went on past both bad rows
    expect(run.completed[0]!.count).toBe(298);

    // every other row is in the table topic; the two bad ones are not
    const topic = await h.readTopic('account');
    expect(truth.filter((id) => !topic.ids.has(id))).toEqual([badText, badMoney].sort());
    expect(topic.messages).toBe(298);

    const letters = await lettersOf(run.runId, dlqStart, 2);
    expect(letters.map((l) => l.key).sort()).toEqual([badText, badMoney].sort());
    for (const l of letters) {
      expect(l.value.accountid).toBe(l.key); // the row's JSON as the value
      expect(l.headers).toMatchObject({
        'sync-kind': 'full',
        'source-table': 'account',
        'dlq-source-topic': tableTopic(h.connection, 'account'),
        'dlq-error-code': 'RECORD_INVALID',
        'dlq-service': 'extractor',
      });
      expect(l.headers['task-id']).toMatch(/\S/);
    }
    const reason = (id: string) => letters.find((l) => l.key === id)?.headers['dlq-error-message'];
    expect(reason(badText)).toMatch(/column numberofemployees.*32-bit integer/);
    expect(reason(badMoney)).toMatch(/column revenue.*more than 4 decimals/);
    expect(await metricSum(port, 'dynsync_extractor_dead_letters_total')).toBe(2);
  });
});

async function metricSum(port: number, name: string): Promise<number> {
  const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return body
    .split('\n')
    .filter((l) => l.startsWith(name) && !l.startsWith('#'))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}
