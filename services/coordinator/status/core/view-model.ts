/**
 * Builds the status view (pure): the state DB documents and the Kafka figures, normalised (status-input.ts),
 * become summary figures, a throughput chart, display sections and the same facts as numbers.
 */
import { chartView, type ChartOptions } from './chart.ts';
import { formatCount, formatRate, formatTime } from './format.ts';
import { progressOf, sumCounts } from './progress.ts';
import { connectionsSection, dlqSection, lagSection, progressSection, runsSection, watermarksSection } from './sections.ts';
import { partitionLag, type ConnectionInput, type KafkaInput, type RequestsInput } from './status-input.ts';
import type { ThroughputPoint } from './throughput.ts';
import type { RunData, StatusView } from './view-types.ts';
import { type RunRecord, type WatermarkRecord } from '../../../contracts/run-document.ts';

/** Everything the view is built from. */
export interface StatusInput {
  nowMs: number;
  connections: readonly ConnectionInput[];
  requests: readonly RequestsInput[];
  runs: readonly RunRecord[];
  watermarks: readonly WatermarkRecord[];
  kafka: KafkaInput;
  throughput: readonly ThroughputPoint[];
}

/** Default chart size: 10 minutes across 640 × 150. */
export const DEFAULT_CHART: ChartOptions = { width: 640, height: 150, spanMs: 10 * 60_000 };

/** A run with the progress of itself and of each table, measured at `nowMs`. */
export function runData(r: RunRecord, nowMs: number): RunData {
  const running = r.status === 'running';
  const endMs = r.completedAtMs ?? r.failedAtMs ?? (running ? nowMs : (r.loadedAtMs ?? nowMs));
  const tables = r.tables.map((t) => ({ ...t, windowsDone: t.windowsDone ?? 0, windowsTotal: t.windowsTotal ?? 0, records: t.records ?? 0 }));
  return {
    ...r,
    connection: r.connection ?? '',
    kind: r.kind ?? '',
    status: r.status ?? '',
    requestedBy: r.requestedBy ?? '',
    error: r.error && { code: r.error.code ?? '', message: r.error.message ?? '' },
    progress: progressOf(sumCounts(tables), r.startedAtMs, endMs, running),
    tables: tables.map((t) => ({ ...t, progress: progressOf(t, r.startedAtMs, t.completedAtMs ?? endMs, running) })),
  };
}

/** Running runs first, then by start, newest first, then by id (a stable order for equal starts). */
export function orderRuns<T extends RunRecord>(runs: readonly T[]): T[] {
  return [...runs].sort(
    (a, b) => Number(b.status === 'running') - Number(a.status === 'running') || (b.startedAtMs ?? 0) - (a.startedAtMs ?? 0) || a.runId.localeCompare(b.runId),
  );
}

/** The status view at `input.nowMs`. */
export function buildStatusView(input: StatusInput, chart: ChartOptions = DEFAULT_CHART): StatusView {
  const { nowMs, kafka } = input;
  const runs = orderRuns(input.runs).map((r) => runData(r, nowMs));
  const watermarks = [...input.watermarks].sort((a, b) => a.connection.localeCompare(b.connection) || a.table.localeCompare(b.table));
  const connections = [...input.connections].sort((a, b) => a.id.localeCompare(b.id));
  const running = runs.filter((r) => r.status === 'running');
  const loaderLag = kafka.state === 'ok' ? kafka.topics.reduce((s, t) => s + t.partitions.reduce((x, p) => x + partitionLag(p), 0), 0) : null;
  const dlqRetained = kafka.state === 'ok' && kafka.dlq ? kafka.dlq.reduce((s, p) => s + Math.max(0, p.high - p.low), 0) : null;
  const latest = input.throughput[input.throughput.length - 1];
  return {
    generatedAtMs: nowMs,
    generatedAt: formatTime(nowMs),
    summary: [
      { id: 'connections', label: 'Connections', value: String(connections.length) },
      { id: 'running', label: 'Runs in progress', value: String(running.length), tone: running.length > 0 ? 'info' : 'muted' },
      { id: 'records', label: 'Records (runs in progress)', value: formatCount(running.reduce((s, r) => s + sumCounts(r.tables).records, 0)) },
      { id: 'throughput', label: 'Throughput', value: latest ? formatRate(latest.perSec) : '-' },
      { id: 'lag', label: 'Loader lag', value: loaderLag === null ? 'unknown' : formatCount(loaderLag), tone: loaderLag === null ? 'muted' : loaderLag > 0 ? 'warn' : 'ok' },
      { id: 'dlq', label: 'Dead letters', value: dlqRetained === null ? 'unknown' : formatCount(dlqRetained), tone: dlqRetained === null ? 'muted' : dlqRetained > 0 ? 'err' : 'ok' },
    ],
    chart: chartView(input.throughput, nowMs, chart),
    sections: [
      progressSection(runs),
      runsSection(runs),
      watermarksSection(watermarks, nowMs),
      lagSection(kafka),
      dlqSection(kafka),
      connectionsSection(connections, input.requests),
    ],
    data: { connections, requests: [...input.requests], runs, watermarks, kafka, loaderLag, dlqRetained },
  };
}
