import { describe, expect, it } from 'vitest';
import type { KafkaInput } from './status-input.ts';
import type { Section } from './view-types.ts';
import { buildStatusView, orderRuns, type StatusInput } from './view-model.ts';
import { type RunRecord, type RunTableRecord } from '../../../contracts/run-document.ts';

const NOW = Date.parse('2026-03-01T10:10:00Z');
const min = 60_000;

const table = (name: string, done: number, total: number, records: number, completedAtMs: number | null = null, outcome: Partial<RunTableRecord> = {}): RunTableRecord => ({
  table: name, windowsDone: done, windowsTotal: total, records, written: null, unchanged: null, tombstoned: 0, fromMs: Date.parse('1753-01-01T00:00:00Z'), toMs: NOW - 11 * min, completedAtMs, ...outcome,
});
const run = (over: Partial<RunRecord>): RunRecord => ({
  runId: 'run-1', connection: 'acme', kind: 'full', status: 'running', requestedBy: 'ops', startedAtMs: NOW - 10 * min,
  completedAtMs: null, failedAtMs: null, loadedAtMs: null, error: null, reconcile: { state: 'pending', incomplete: [] }, tables: [], ...over,
});
const kafkaOk: KafkaInput = {
  state: 'ok',
  loaderGroup: 'dynsync-loader',
  topics: [{ topic: 'dynamics.acme.account', partitions: [{ partition: 0, low: 0, high: 40, committed: 30 }, { partition: 1, low: 0, high: 5, committed: -1 }] }],
  dlq: [{ partition: 0, low: 0, high: 2 }, { partition: 1, low: 0, high: 0 }],
};
const input = (over: Partial<StatusInput> = {}): StatusInput => ({
  nowMs: NOW, connections: [], requests: [], runs: [], watermarks: [], kafka: kafkaOk, throughput: [], ...over,
});
const section = (s: Section[], id: string) => s.find((x) => x.id === id)!;
const texts = (s: Section) => s.rows.map((r) => r.map((c) => c.text));

describe('buildStatusView', () => {
  it('per-table progress of a running run: windows, records, rate and ETA', () => {
    const v = buildStatusView(input({ runs: [run({ tables: [table('account', 2, 8, 6_000), table('contact', 4, 4, 1_200, NOW - 5 * min)] })] }));
    expect(texts(section(v.sections, 'progress'))).toEqual([
      ['acme', 'run-1', 'account', '2/8 (25%)', '6,000', '-', '-', '0', '10/s', '30m00s', '1753-01-01 00:00:00Z', '2026-03-01 09:59:00Z', '-'],
      ['acme', 'run-1', 'contact', '4/4 (100%)', '1,200', '-', '-', '0', '-', 'done', '1753-01-01 00:00:00Z', '2026-03-01 09:59:00Z', '2026-03-01 10:05:00Z'],
    ]);
    expect(section(v.sections, 'progress').rows[0]![3]!.bar).toBe(0.25);
    const runs = texts(section(v.sections, 'runs'));
    // whole run: 6/12 windows in 10 minutes → 10 more minutes
    expect(runs[0]!.slice(8, 15)).toEqual(['6/12 (50%)', '7,200', '-', '-', '0', '12/s', '10m00s']);
    expect(v.summary.find((s) => s.id === 'records')!.value).toBe('7,200');
    expect(v.data.runs[0]!.progress).toEqual({ fraction: 0.5, recordsPerSec: 12, etaMs: 10 * min });
  });

  it.each([
    { name: 'running runs first, then newest', runs: [run({ runId: 'old', status: 'loaded', startedAtMs: NOW - 90 * min }), run({ runId: 'new', status: 'completed', startedAtMs: NOW - 30 * min }), run({ runId: 'cur', startedAtMs: NOW - 100 * min })], order: ['cur', 'new', 'old'] },
    { name: 'ties by id', runs: [run({ runId: 'b', status: 'failed' }), run({ runId: 'a', status: 'failed' })], order: ['a', 'b'] },
  ])('orders runs: $name', ({ runs, order }) => {
    expect(orderRuns(runs).map((r) => r.runId)).toEqual(order);
  });

  it('without a running run, progress shows the latest run of each connection', () => {
    const v = buildStatusView(input({
      runs: [
        run({ runId: 'a-old', status: 'loaded', startedAtMs: NOW - 60 * min, completedAtMs: NOW - 50 * min, tables: [table('account', 1, 1, 1)] }),
        run({ runId: 'a-new', status: 'completed', startedAtMs: NOW - 20 * min, completedAtMs: NOW - 10 * min, tables: [table('account', 1, 1, 600)] }),
        run({ runId: 'b-1', connection: 'beta', status: 'failed', startedAtMs: NOW - 5 * min, failedAtMs: NOW - 4 * min, error: { code: 'RUN_TIMEOUT', message: 'x' }, tables: [table('lead', 0, 3, 0)] }),
      ],
    }));
    const p = section(v.sections, 'progress');
    expect(p.note).toMatch(/No run in progress/);
    expect(texts(p).map((r) => [r[1], r[2], r[8], r[9]])).toEqual([
      ['b-1', 'lead', '0.0/s', '-'], // failed: no ETA
      ['a-new', 'account', '1.0/s', 'done'], // rate measured until the run completed, not until now
    ]);
    const err = section(v.sections, 'runs').rows[0]![15]!;
    expect(err).toEqual({ text: 'RUN_TIMEOUT: x', tone: 'err', title: 'RUN_TIMEOUT: x' });
  });

  it('records written, unchanged and tombstoned per table and per run; an incomplete reconciliation in the status and error cells', () => {
    const reasons = [{ table: 'contact', reason: '1 window (5,000 documents) not compared: HTTP 503' }];
    const v = buildStatusView(input({
      runs: [
        run({
          status: 'loaded', completedAtMs: NOW - 5 * min, loadedAtMs: NOW - 4 * min, reconcile: { state: 'incomplete', incomplete: reasons },
          tables: [table('account', 8, 8, 1_000, NOW - 6 * min, { written: 10, unchanged: 990, tombstoned: 3 }), table('contact', 2, 2, 20, NOW - 6 * min, { written: null, unchanged: null, tombstoned: 1 })],
        }),
      ],
    }));
    expect(texts(section(v.sections, 'progress')).map((r) => r.slice(2, 8))).toEqual([
      ['account', '8/8 (100%)', '1,000', '10', '990', '3'],
      ['contact', '2/2 (100%)', '20', '-', '-', '1'],
    ]);
    const [row] = section(v.sections, 'runs').rows;
    expect(row!.slice(9, 13).map((c) => c.text)).toEqual(['1,020', '10', '990', '4']);
    expect(row![3]).toEqual({ text: 'loaded · reconcile incomplete', tone: 'warn' });
    const note = 'reconcile incomplete: contact: 1 window (5,000 documents) not compared: HTTP 503';
    expect(row![15]).toEqual({ text: note, tone: 'warn', title: note });
    expect(v.data.runs[0]!.reconcile).toEqual({ state: 'incomplete', incomplete: reasons });
  });

  it.each([
    { name: 'Kafka figures', kafka: kafkaOk, lag: ['dynamics.acme.account', '2', '45', '30', '15'], summaryLag: '15', dlq: '2', dlqRows: 2 },
    { name: 'Kafka unavailable', kafka: { state: 'unavailable', message: 'KAFKA_UNAVAILABLE: timed out' } as KafkaInput, lag: undefined, summaryLag: 'unknown', dlq: 'unknown', dlqRows: 0 },
    { name: 'no dlq topic yet', kafka: { ...kafkaOk, dlq: null } as KafkaInput, lag: ['dynamics.acme.account', '2', '45', '30', '15'], summaryLag: '15', dlq: 'unknown', dlqRows: 0 },
  ])('lag and dead letters: $name', ({ kafka, lag, summaryLag, dlq, dlqRows }) => {
    const v = buildStatusView(input({ kafka }));
    expect(texts(section(v.sections, 'lag'))[0]).toEqual(lag);
    expect(v.summary.find((s) => s.id === 'lag')!.value).toBe(summaryLag);
    expect(v.summary.find((s) => s.id === 'dlq')!.value).toBe(dlq);
    expect(section(v.sections, 'dlq').rows).toHaveLength(dlqRows);
    if (kafka.state !== 'ok') expect(section(v.sections, 'lag').note).toBe('KAFKA_UNAVAILABLE: timed out');
  });

  it('watermarks sorted with their age; connections with pending requests', () => {
    const v = buildStatusView(input({
      watermarks: [
        { connection: 'acme', table: 'contact', watermarkMs: NOW - 2 * 3_600_000, runId: 'r2', updatedAtMs: NOW - min },
        { connection: 'acme', table: 'account', watermarkMs: NOW - 90_000, runId: 'r1', updatedAtMs: null },
      ],
      connections: [{ id: 'acme', orgUrl: 'https://acme.crm4.dynamics.com', flow: 'client-credentials', tables: 'all', schedule: { full: '0 2 * * *', incremental: '0 */2 * * *', timeZone: 'UTC' }, updatedAtMs: null }],
      requests: [{ connection: 'acme', pending: [{ kind: 'incremental', requestId: 'q', requestedBy: 'cli:bob' }], lastFiredMs: { full: null, incremental: NOW - 30 * min } }],
    }));
    expect(texts(section(v.sections, 'watermarks'))).toEqual([
      ['acme', 'account', '2026-03-01 10:08:30Z', '1m30s', 'r1', '-'],
      ['acme', 'contact', '2026-03-01 08:10:00Z', '2h00m', 'r2', '2026-03-01 10:09:00Z'],
    ]);
    expect(texts(section(v.sections, 'connections'))).toEqual([
      ['acme', 'https://acme.crm4.dynamics.com', 'client-credentials', 'all', 'full 0 2 * * * · incremental 0 */2 * * * (UTC)', 'incremental by cli:bob', 'full - · incremental 2026-03-01 09:40:00Z', '-'],
    ]);
  });

  it('chart and throughput summary come from the samples', () => {
    const v = buildStatusView(input({ throughput: [{ atMs: NOW - 4_000, perSec: 3 }, { atMs: NOW, perSec: 42 }] }));
    expect(v.summary.find((s) => s.id === 'throughput')!.value).toBe('42/s');
    expect(v.chart.empty).toBe(false);
    expect(v.chart.yMaxLabel).toBe('50/s');
    expect(buildStatusView(input()).chart.empty).toBe(true);
  });
});
