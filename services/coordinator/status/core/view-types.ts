/**
 * The status view: what `/api/status` returns and what both the server-side HTML and the page's script render.
 * Display cells are already formatted text, so the two renderers stay trivial and cannot disagree; `data` keeps
 * the same facts as numbers for machines.
 */
import type { ChartView } from './chart.ts';
import type { Counts, Progress } from '../../../shared/run-progress.ts';
import type { ConnectionInput, KafkaInput, RequestsInput } from './status-input.ts';
import type { RunRecord, RunTableRecord, WatermarkRecord } from '../../../contracts/run-document.ts';

/** How a cell is coloured. */
export type Tone = 'ok' | 'info' | 'warn' | 'err' | 'muted';

/** One table cell: text, and optionally a progress bar (fraction 0..1), a colour and a tooltip. */
export interface Cell {
  text: string;
  bar?: number;
  tone?: Tone;
  title?: string;
}

/** One section of the page: a titled table. */
export interface Section {
  /** Stable id: the element id is `s-<id>`. */
  id: string;
  title: string;
  /** One line under the title (context, or why the data is missing). */
  note: string;
  columns: string[];
  rows: Cell[][];
  /** Shown instead of rows when there are none. */
  empty: string;
}

/** One figure of the summary line. */
export interface SummaryItem {
  id: string;
  label: string;
  value: string;
  tone?: Tone;
}

/** A run with its computed progress. */
export type RunData = Omit<RunRecord, 'tables' | 'connection' | 'kind' | 'status' | 'requestedBy' | 'error'> & {
  connection: string;
  kind: string;
  status: string;
  requestedBy: string;
  error: { code: string; message: string } | null;
  progress: Progress;
  tables: TableData[];
};

/** A table of a run as the page shows it (unknown counts are 0). */
export type TableData = Omit<RunTableRecord, keyof Counts> & Counts & { progress: Progress };

/** The facts of the page as numbers (times in epoch ms). */
export interface StatusData {
  connections: ConnectionInput[];
  requests: RequestsInput[];
  runs: RunData[];
  watermarks: WatermarkRecord[];
  kafka: KafkaInput;
  /** Sum of the loader group's lag over the table topics, null when Kafka is not available. */
  loaderLag: number | null;
  /** Messages retained in sync.dlq (high − low summed), null when unknown. */
  dlqRetained: number | null;
}

/** The whole status view. */
export interface StatusView {
  generatedAtMs: number;
  generatedAt: string;
  summary: SummaryItem[];
  chart: ChartView;
  sections: Section[];
  data: StatusData;
}
