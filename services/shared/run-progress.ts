/**
 * Rate and ETA of a run or table from successive readings of its counts: the one progress model of `dynsync status`
 * and the coordinator's status page, so both show the same numbers. The caller polls the state DB, records each
 * reading as a {@link Sample} taken at its own clock's time, and asks for the progress:
 * the record rate is measured over the last {@link RECORDS_SPAN_MS} of samples (a live rate), the window rate over
 * every kept sample ({@link HISTORY_MS}, windows finish in bursts), and the ETA is windows left / window rate
 * (records still to come are unknown until their windows are read). Before two samples span a second, both
 * rates fall back to the average since the run started; a run that no longer runs shows its average rate from
 * its start to its end. Pure: times are arguments, no clock.
 */

/** Counts of a table, or their sums over a run's tables. */
export interface Counts {
  windowsDone: number;
  windowsTotal: number;
  records: number;
}

/** One reading of the counts, at the reader's clock time. */
export interface Sample {
  atMs: number;
  windowsDone: number;
  records: number;
}

/** Sums of the counts of several tables. */
export function sumCounts(tables: readonly Counts[]): Counts {
  return tables.reduce<Counts>(
    (s, t) => ({ windowsDone: s.windowsDone + t.windowsDone, windowsTotal: s.windowsTotal + t.windowsTotal, records: s.records + t.records }),
    { windowsDone: 0, windowsTotal: 0, records: 0 },
  );
}

/** The history key of a run (`<runId>`) or of one of its tables (`<runId>/<table>`). */
export const progressKey = (runId: string, table?: string): string => (table === undefined ? runId : `${runId}/${table}`);

/** Samples per key (`<runId>` for a run, `<runId>/<table>` for a table), oldest first. */
export type History = ReadonlyMap<string, readonly Sample[]>;

/** Samples older than this are dropped. */
export const HISTORY_MS = 60_000;
/** The record rate is measured over the samples of this last span. */
export const RECORDS_SPAN_MS = 10_000;
/** Two samples closer than this give no rate (the fallback is used). */
export const MIN_SPAN_MS = 1_000;

/** Computed progress. */
export interface Progress {
  /** windowsDone / windowsTotal (at most 1), null while no window is planned. */
  fraction: number | null;
  /** Records per second: live while the run runs, the average from start to end once it stopped; null when unknown. */
  recordsPerSec: number | null;
  /** Milliseconds left: 0 when every window is done, null when unknown or when the run no longer runs. */
  etaMs: number | null;
}

/**
 * `samples` with `sample` appended and samples older than `HISTORY_MS` before it dropped (the newest is always
 * kept). Counts that went backwards (a rebuilt projection) restart the history at `sample`.
 */
export function addSample(samples: readonly Sample[] | undefined, sample: Sample, historyMs = HISTORY_MS): Sample[] {
  const last = samples?.at(-1);
  if (!samples || !last || sample.records < last.records || sample.windowsDone < last.windowsDone || sample.atMs < last.atMs) return [sample];
  return [...samples.filter((s) => s.atMs >= sample.atMs - historyMs), sample];
}

/** `history` with one sample per entry of `readings` (key → counts) taken at `nowMs`; other keys are dropped. */
export function observe(history: History, readings: ReadonlyMap<string, Counts>, nowMs: number): Map<string, Sample[]> {
  const next = new Map<string, Sample[]>();
  for (const [key, c] of readings) next.set(key, addSample(history.get(key), { atMs: nowMs, windowsDone: c.windowsDone, records: c.records }));
  return next;
}

/** Δvalue per second between the first and last sample, or null when they span less than MIN_SPAN_MS. */
function slope(samples: readonly Sample[], value: (s: Sample) => number): number | null {
  const first = samples[0];
  const last = samples.at(-1);
  if (!first || !last || last.atMs - first.atMs < MIN_SPAN_MS) return null;
  return ((value(last) - value(first)) * 1000) / (last.atMs - first.atMs);
}

/**
 * Progress of `c` from its `samples` (as kept by {@link addSample}, the last one being `c` read at `nowMs`).
 * `startedAtMs` (the run's start) gives the fallback average; `running` = the run can still make progress;
 * `endMs` is when a stopped run (or table) ended, for its average rate.
 */
export function measure(c: Counts, samples: readonly Sample[], nowMs: number, startedAtMs: number | undefined, running: boolean, endMs?: number): Progress {
  const fraction = c.windowsTotal > 0 ? Math.min(1, c.windowsDone / c.windowsTotal) : null;
  const elapsedMs = startedAtMs === undefined ? 0 : (running ? nowMs : (endMs ?? nowMs)) - startedAtMs;
  const average = (n: number) => (elapsedMs >= MIN_SPAN_MS ? (n * 1000) / elapsedMs : null);
  if (!running) return { fraction, recordsPerSec: endMs === undefined ? null : average(c.records), etaMs: fraction === 1 ? 0 : null };
  if (fraction === 1) return { fraction, recordsPerSec: null, etaMs: 0 };
  const recent = samples.filter((s) => s.atMs >= nowMs - RECORDS_SPAN_MS);
  const recordsPerSec = slope(recent, (s) => s.records) ?? average(c.records);
  const measured = slope(samples, (s) => s.windowsDone);
  // No window finished in the kept samples: fall back to the run's average pace, if any window finished at all.
  const windowsPerSec = measured !== null && measured > 0 ? measured : average(c.windowsDone);
  const left = c.windowsTotal - c.windowsDone;
  const etaMs = c.windowsTotal > 0 && windowsPerSec !== null && windowsPerSec > 0 ? Math.round((left * 1000) / windowsPerSec) : null;
  return { fraction, recordsPerSec: recordsPerSec === null ? null : Math.max(0, recordsPerSec), etaMs };
}
