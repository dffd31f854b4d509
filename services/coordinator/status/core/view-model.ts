/**
 * Builds the status view (pure): the state DB documents and the Kafka figures, normalised (status-input.ts),
 * become summary figures, a throughput chart, display sections and the same facts as numbers.
 */
import { chartView, type ChartOptions } from './chart.ts';
import { formatTime } from './format.ts';
import { connectionsSection, dlqSection, lagSection, progressSection, runsSection, watermarksSection } from './sections.ts';
import { partitionLag, type ConnectionInput, type KafkaInput, type RequestsInput } from './status-input.ts';
import type { ThroughputPoint } from './throughput.ts';
import type { RunData, StatusView } from './view-types.ts';
import { type RunRecord, type WatermarkRecord } from '../../../contracts/run-document.ts';
import { formatCount, formatRate } from '../../../shared/display-format.ts';
import { measure, observe, progressKey, sumCounts, type Counts, type History } from '../../../shared/run-progress.ts';

/** Everything the view is built from. */
export interface StatusInput {
  nowMs: number;
  connections: readonly ConnectionInput[];
  requests: readonly RequestsInput[];
  runs: readonly RunRecord[];
  watermarks: readonly WatermarkRecord[];
  kafka: KafkaInput;
  throughput: readonly ThroughputPoint[];
  /**
   * The readings of the runs' counts so far, this one included (`observe(previous, progressReadings(runs), nowMs)`),
   * for live rates and ETAs; without it the progress is the average since each run started.
   */
  progressHistory?: History;
}

/** Default chart size: 10 minutes across 640 × 150. */
export const DEFAULT_CHART: ChartOptions = { width: 640, height: 150, spanMs: 10 * 60_000 };

const countsOf = (t: { windowsDone: number | null; windowsTotal: number | null; records: number | null }): Counts => ({
  windowsDone: t.windowsDone ?? 0,
  windowsTotal: t.windowsTotal ?? 0,
  records: t.records ?? 0,
});

/** The counts of every run and table (keyed by shared/run-progress.ts `progressKey`), one reading for the history. */
export function progressReadings(runs: readonly RunRecord[]): Map<string, Counts> {
  const readings = new Map<string, Counts>();
  for (const r of runs) {
    readings.set(progressKey(r.runId), sumCounts(r.tables.map(countsOf)));
    for (const t of r.tables) readings.set(progressKey(r.runId, t.table), countsOf(t));
  }
  return readings;
}

/**
 * A run with the progress of itself and of each table at `nowMs`, measured as `dynsync status` measures it
 * (shared/run-progress.ts): `history` holds the readings so far, this one included.
 */
export function runData(r: RunRecord, nowMs: number, history: History): RunData {
  const running = r.status === 'running';
  const endMs = r.completedAtMs ?? r.failedAtMs ?? r.loadedAtMs ?? undefined;
  const start = r.startedAtMs ?? undefined;
  const tables = r.tables.map((t) => ({ ...t, ...countsOf(t) }));
  const progress = (key: string, c: Counts, end: number | undefined) => measure(c, history.get(key) ?? [], nowMs, start, running, end);
  return {
    ...r,
    connection: r.connection ?? '',
    kind: r.kind ?? '',
    status: r.status ?? '',
    requestedBy: r.requestedBy ?? '',
    error: r.error && { code: r.error.code ?? '', message: r.error.message ?? '' },
    progress: progress(progressKey(r.runId), sumCounts(tables), endMs),
    tables: tables.map((t) => ({ ...t, progress: progress(progressKey(r.runId, t.table), t, t.completedAtMs ?? endMs) })),
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
  const history = input.progressHistory ?? observe(new Map(), progressReadings(input.runs), nowMs);
  const runs = orderRuns(input.runs).map((r) => runData(r, nowMs, history));
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
