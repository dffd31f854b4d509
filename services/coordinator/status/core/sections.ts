/**
 * The sections of the status page (pure): each turns normalised inputs into a titled table of formatted cells.
 * Text is left unescaped here; the renderers escape it (HTML) or set it as text (DOM).
 */
import { reconcileNote, totalOutcome, type RecordOutcome } from '../../../contracts/run-counts.ts';
import { formatPercent, formatTime } from './format.ts';
import { partitionLag, type ConnectionInput, type KafkaInput, type RequestsInput } from './status-input.ts';
import type { Cell, RunData, Section, Tone } from './view-types.ts';
import { type WatermarkRecord } from '../../../contracts/run-document.ts';
import { formatCount, formatDuration, formatEta, formatRate, NONE } from '../../../shared/display-format.ts';

const STATUS_TONE: Record<string, Tone> = { running: 'info', completed: 'ok', loaded: 'ok', failed: 'err' };
const ERROR_CHARS = 300;

const c = (text: string, extra: Omit<Cell, 'text'> = {}): Cell => ({ text, ...extra });

function windowsCell(done: number, total: number, fraction: number | null): Cell {
  return c(`${done}/${total} (${formatPercent(fraction)})`, fraction === null ? {} : { bar: fraction });
}

/** The headers and cells of what a run did to the records it extracted (services/contracts/run-counts.ts; `-`: not known yet). */
const OUTCOME_COLUMNS = ['Written', 'Unchanged', 'Tombstoned'];
const outcomeCells = (o: RecordOutcome): Cell[] => [c(formatCount(o.written)), c(formatCount(o.unchanged)), c(formatCount(o.tombstoned))];

/** A failed run's error, else an incomplete reconciliation's reasons, as the last cell of a run (long text clipped). */
function noteCell(r: RunData): Cell {
  const [text, tone]: [string | null, Tone] = r.error ? [`${r.error.code}: ${r.error.message}`, 'err'] : [reconcileNote(r.reconcile), 'warn'];
  if (text === null) return c('');
  return c(text.length > ERROR_CHARS ? `${text.slice(0, ERROR_CHARS)}…` : text, { tone, title: text });
}

/** Runs, the running ones first, then newest first. */
export function runsSection(runs: readonly RunData[]): Section {
  return {
    id: 'runs',
    title: 'Runs',
    note: 'Current and recent runs (collections runs and run_loads). Records = extracted; written, unchanged and tombstoned as loaded into MongoDB. Rate = records per second since the run started; ETA by windows.',
    columns: ['Run', 'Connection', 'Kind', 'Status', 'Requested by', 'Started', 'Finished', 'Loaded', 'Windows', 'Records', ...OUTCOME_COLUMNS, 'Rate', 'ETA', 'Error'],
    empty: 'No run yet.',
    rows: runs.map((r) => {
      const done = r.tables.reduce((s, t) => s + t.windowsDone, 0);
      const total = r.tables.reduce((s, t) => s + t.windowsTotal, 0);
      const records = r.tables.reduce((s, t) => s + t.records, 0);
      const incomplete = r.reconcile.state === 'incomplete';
      return [
        c(r.runId),
        c(r.connection),
        c(r.kind),
        c(incomplete ? `${r.status} · reconcile incomplete` : r.status, { tone: incomplete ? 'warn' : (STATUS_TONE[r.status] ?? 'muted') }),
        c(r.requestedBy || NONE),
        c(formatTime(r.startedAtMs)),
        c(formatTime(r.completedAtMs ?? r.failedAtMs)),
        c(formatTime(r.loadedAtMs)),
        windowsCell(done, total, r.progress.fraction),
        c(formatCount(records)),
        ...outcomeCells(totalOutcome(r.tables)),
        c(formatRate(r.progress.recordsPerSec)),
        c(formatEta(r.progress.etaMs)),
        noteCell(r),
      ];
    }),
  };
}

/** Per-table progress of the running runs, or of the latest run of each connection when none runs. */
export function progressSection(runs: readonly RunData[]): Section {
  const running = runs.filter((r) => r.status === 'running');
  const latest = new Map<string, RunData>();
  for (const r of runs) if (!latest.has(r.connection) || (r.startedAtMs ?? 0) > (latest.get(r.connection)!.startedAtMs ?? 0)) latest.set(r.connection, r);
  const shown = running.length > 0 ? running : [...latest.values()];
  return {
    id: 'progress',
    title: 'Progress by table',
    note: running.length > 0 ? `${running.length} run(s) in progress.` : shown.length > 0 ? 'No run in progress: the latest run of each connection.' : '',
    columns: ['Connection', 'Run', 'Table', 'Windows', 'Records', ...OUTCOME_COLUMNS, 'Rate', 'ETA', 'Range from', 'Range to', 'Table done'],
    empty: 'No run yet.',
    rows: shown.flatMap((r) =>
      r.tables.map((t) => [
        c(r.connection),
        c(r.runId),
        c(t.table),
        windowsCell(t.windowsDone, t.windowsTotal, t.progress.fraction),
        c(formatCount(t.records)),
        ...outcomeCells(t),
        c(formatRate(t.progress.recordsPerSec)),
        c(formatEta(t.progress.etaMs)),
        c(formatTime(t.fromMs)),
        c(formatTime(t.toMs)),
        c(formatTime(t.completedAtMs), t.completedAtMs === null ? {} : { tone: 'ok' }),
      ]),
    ),
  };
}

/** Committed watermarks with their age. */
export function watermarksSection(watermarks: readonly WatermarkRecord[], nowMs: number): Section {
  return {
    id: 'watermarks',
    title: 'Watermarks',
    note: 'The next incremental run of a table reads the records modified since its watermark (minus the overlap).',
    columns: ['Connection', 'Table', 'Watermark', 'Age', 'Run', 'Updated'],
    empty: 'No watermark committed yet.',
    rows: watermarks.map((w) => [
      c(w.connection),
      c(w.table),
      c(formatTime(w.watermarkMs)),
      c(w.watermarkMs === null ? NONE : formatDuration(nowMs - w.watermarkMs)),
      c(w.runId || NONE),
      c(formatTime(w.updatedAtMs)),
    ]),
  };
}

/** Connections (whitelisted fields only) with their pending requests and last scheduled fires. */
export function connectionsSection(connections: readonly ConnectionInput[], requests: readonly RequestsInput[]): Section {
  const byId = new Map(requests.map((r) => [r.connection, r]));
  return {
    id: 'connections',
    title: 'Connections',
    note: 'Secrets are sealed separately and never read by this page.',
    columns: ['Connection', 'Organisation', 'Flow', 'Tables', 'Schedule', 'Pending', 'Last scheduled', 'Updated'],
    empty: 'No connection: create one with `dynsync connect`.',
    rows: connections.map((k) => {
      const req = byId.get(k.id);
      const s = k.schedule;
      const last = req ? `full ${formatTime(req.lastFiredMs.full)} · incremental ${formatTime(req.lastFiredMs.incremental)}` : NONE;
      return [
        c(k.id),
        c(k.orgUrl ?? NONE),
        c(k.flow ?? NONE),
        c(k.tables === 'all' ? 'all' : k.tables.join(', ') || NONE),
        c(s ? `full ${s.full} · incremental ${s.incremental} (${s.timeZone})` : NONE),
        c(req && req.pending.length > 0 ? req.pending.map((p) => `${p.kind} by ${p.requestedBy}`).join(', ') : NONE, req?.pending.length ? { tone: 'info' } : {}),
        c(last),
        c(formatTime(k.updatedAtMs)),
      ];
    }),
  };
}

/** Consumer lag of the loader group per table topic. */
export function lagSection(kafka: KafkaInput): Section {
  const base = { id: 'lag', title: 'Loader lag', columns: ['Topic', 'Partitions', 'End offsets', 'Committed', 'Lag'] };
  if (kafka.state !== 'ok') return { ...base, note: kafka.message, rows: [], empty: kafka.state === 'disabled' ? 'Kafka is not configured for this page.' : 'Kafka unavailable.' };
  return {
    ...base,
    note: `Group ${kafka.loaderGroup}: messages of each table topic not yet committed by the loader (high water mark − committed offset).`,
    empty: 'No table topic yet.',
    rows: kafka.topics.map((t) => {
      const lag = t.partitions.reduce((s, p) => s + partitionLag(p), 0);
      const committed = t.partitions.filter((p) => p.committed >= 0);
      return [
        c(t.topic),
        c(String(t.partitions.length)),
        c(formatCount(t.partitions.reduce((s, p) => s + p.high, 0))),
        c(committed.length === 0 ? 'none' : formatCount(committed.reduce((s, p) => s + p.committed, 0)), committed.length === 0 ? { tone: 'muted' } : {}),
        c(formatCount(lag), { tone: lag > 0 ? 'warn' : 'ok' }),
      ];
    }),
  };
}

/** Dead letters per partition of sync.dlq. */
export function dlqSection(kafka: KafkaInput): Section {
  const base = { id: 'dlq', title: 'Dead letters (sync.dlq)', columns: ['Partition', 'Oldest retained offset', 'High water mark', 'Retained'] };
  if (kafka.state !== 'ok') return { ...base, note: kafka.message, rows: [], empty: 'Kafka unavailable.' };
  if (kafka.dlq === null) return { ...base, note: 'sync.dlq does not exist yet (no service has started).', rows: [], empty: 'No dead-letter topic.' };
  const retained = kafka.dlq.reduce((s, p) => s + Math.max(0, p.high - p.low), 0);
  return {
    ...base,
    note: `${formatCount(kafka.dlq.reduce((s, p) => s + p.high, 0))} dead letter(s) written, ${formatCount(retained)} retained. Read them with a console consumer; their dlq-* headers give the reason.`,
    empty: 'No partition.',
    rows: kafka.dlq.map((p) => [c(String(p.partition)), c(formatCount(p.low)), c(formatCount(p.high)), c(formatCount(p.high - p.low), { tone: p.high > p.low ? 'warn' : 'ok' })]),
  };
}
