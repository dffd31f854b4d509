/**
 * Case 12: the first full run of a new connection (its table topics are created during the run) with the Kafka
 * broker restarted while the extractor produces. Partition leaders go away and come back, produce requests in flight
 * fail, and kafkajs's idempotent producer can fall out of step with the broker's sequence numbers
 * (OUT_OF_ORDER_SEQUENCE_NUMBER on every later send). The services' producer replaces itself when that happens
 * (services/shared/healing-producer.ts), so no task attempt fails because of the producer, and the run ends loaded
 * and equal to the source.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultPipeline } from './support/fault-pipeline.ts';
import { expectConsistent } from './support/expect-consistent.ts';
import { poll } from './support/run-docs.ts';

const TABLES = ['account', 'contact', 'opportunity'];

/** The extractor's log lines (every incarnation) that report a task attempt failed by Kafka, and its producer replacements. */
function producerEffects(logFile: string): { failed: string[]; replacements: string[] } {
  const lines = readFileSync(logFile, 'utf8').split('\n').flatMap((l) => {
    try {
      return [JSON.parse(l) as { msg?: string; err?: { code?: string }; reason?: string }];
    } catch {
      return [];
    }
  });
  const taskEnd = /^(window failed|could not record the end of a task)/;
  return {
    failed: lines.filter((l) => taskEnd.test(l.msg ?? '') && l.err?.code?.startsWith('KAFKA_')).map((l) => `${l.err?.code}: ${l.msg}`),
    replacements: lines.filter((l) => (l.msg ?? '').startsWith('Kafka producer')).map((l) => l.reason ?? '?'),
  };
}

describe('the producer through a broker restart', () => {
  let p: FaultPipeline;

  beforeAll(async () => {
    p = await FaultPipeline.start({ tag: 'prod', tables: TABLES, rows: 4000 });
  });
  afterAll(async () => {
    await p?.close();
  });

  it("case 12: a new connection's first full run with the broker restarted mid-produce", async () => {
    const conn = await p.connect();
    let landed = '';
    const run = await p.run(conn, 'full', async (started) => {
      const { _id } = await started;
      // the restart lands while records flow: some windows have published, not all
      const producing = await poll(async () => {
        const r = await p.state.collection('runs').findOne({ _id: _id as never });
        const tables = Object.values((r?.tables ?? {}) as Record<string, { records: number; windowsDone: number; windowsTotal: number }>);
        const records = tables.reduce((s, t) => s + t.records, 0);
        return r?.status === 'running' && records > 0 ? { records, open: tables.some((t) => t.windowsDone < t.windowsTotal) } : undefined;
      }, Date.now() + 60_000, 50);
      landed = producing?.open ? `the broker stopped after ${producing.records} records, windows still open` : 'the run had ended before the broker stopped';
      p.say(landed);
      await p.serverOutage('kafka', 3000);
    });
    expect(landed).toMatch(/windows still open/);
    await expectConsistent(p, conn, run);
    const effects = producerEffects(p.services.extractor.logFile);
    p.say(`extractor producer replacements: ${effects.replacements.length} (${effects.replacements.join(', ') || 'none'})`);
    expect(effects.failed, p.lines.join('\n')).toEqual([]);
  });

  it("case 12b: the next new connection's first run goes through the same extractor (its producer possibly replaced)", async () => {
    const conn = await p.connect();
    const run = await p.run(conn, 'full');
    await expectConsistent(p, conn, run);
    expect(producerEffects(p.services.extractor.logFile).failed, p.lines.join('\n')).toEqual([]);
  });

  it('service logs hold no secret and the simulator counted no write', async () => {
    const { findings, nonGet } = await p.finalChecks();
    expect(findings).toEqual([]);
    expect(nonGet).toBe(0);
  });
});
