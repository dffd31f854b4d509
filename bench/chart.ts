/**
 * The benchmark chart (issue #9): `chartSpec` turns the results object that bench/main.ts writes to
 * `bench-results/*.json` into a Vega-Lite spec (pure), `renderChartSvg` renders it headless to SVG text with Vega
 * (no canvas needed). Run as a script to re-render a results file: `npx node bench/chart.ts bench-results/latest.json`
 * writes `bench-results/latest.svg` beside it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parse as parseVega, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** The machine block of a results file (bench/main.ts `machine()`). */
export interface BenchMachine {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGb: number;
  readonly node: string;
  readonly platform?: string;
}

/** The parts of a results file the chart reads; every stage is optional (`--only` leaves stages out). */
export interface BenchResults {
  readonly at: string;
  readonly rows: number;
  readonly machine: BenchMachine;
  /** The simulators' answer delay of `--latency-ms` (a remote Dataverse), when not 0. */
  readonly latencyMs?: number;
  readonly simulatorRaw?: { readonly rowsPerSec: number };
  readonly extract?: { readonly rowsPerSec: number; readonly peakRssMb?: number; readonly cpuMicrosPerRow?: number };
  /** CPU per row of only parsing and Avro-encoding the extract stage's pages (bench/floor.ts). */
  readonly floor?: { readonly cpuMicrosPerRow: number };
  /** Two extractors in one group (bench/extract.ts): each one's windows and rows. */
  readonly extractScaling?: { readonly rowsPerSec: number; readonly speedup: number; readonly ok?: boolean; readonly instances: readonly { readonly windows: number; readonly rows: number }[] };
  readonly storeRaw?: { readonly docsPerSec: number };
  readonly load?: { readonly rowsPerSec: number; readonly peakRssMb?: number };
  readonly e2e?: { readonly seconds: number; readonly rowsPerSec: number; readonly ok?: boolean };
  readonly incremental?: { readonly seconds: number; readonly changed: number; readonly ok?: boolean };
  readonly peakRssMb?: Readonly<Record<string, number>>;
  readonly scaling?: { readonly oneEachSeconds: number; readonly twoEachSeconds: number; readonly speedup: number; readonly ok?: boolean };
}

/**
 * Goals from the issues: extract and load at least 70 % of their raw reference, peak RSS under 300 MB, incremental
 * under 5 s; the extractor's CPU per row at most twice the floor (parse + Avro only) and at most 40 µs (#19).
 */
export const GOALS = { throughputRatio: 0.7, peakRssMb: 300, incrementalSeconds: 5, cpuOverFloor: 2, cpuMicrosPerRow: 40 } as const;

/** The one-line machine description printed by bench/main.ts and used as the chart subtitle. */
export function describeMachine(m: BenchMachine): string {
  return `${m.cpuModel}, ${m.cores} cores, ${m.memoryGb} GB, Node ${m.node}`;
}

type PanelSpec = Extract<TopLevelSpec, { concat: unknown }>['concat'][number];
interface Bar { readonly name: string; readonly value: number; readonly label: string; readonly color: string }
interface Goal { readonly name: string; readonly value: number }

const BLUE = '#4c78a8';
const RED = '#d62728';
const GOAL = '#e45756';
const n = (v: number) => Math.round(v).toLocaleString('en-US');
const pct = (v: number) => `${Math.round(v * 100)} %`;
const verified = (ok: boolean | undefined) => (ok === false ? ', NOT verified' : '');

/**
 * One horizontal bar panel, bars in the given order and labelled at `labelAt` (their end, or their goal tick if further
 * right). Goals are ticks on their own bar (`perBar`) or one dashed rule across the panel.
 */
function barPanel(title: string, axis: string, bars: readonly Bar[], goals: readonly Goal[], perBar: boolean): PanelSpec {
  const y = { field: 'name', type: 'nominal', title: null, sort: null, axis: { labelLimit: 200 } } as const;
  const x = { field: 'value', type: 'quantitative', title: axis } as const;
  const values = bars.map((b) => ({ ...b, kind: 'bar', labelAt: Math.max(b.value, ...goals.filter((g) => g.name === b.name).map((g) => g.value)) }));
  const layer: PanelSpec[] = [
    { data: { values }, mark: { type: 'bar' }, encoding: { y, x, color: { field: 'color', type: 'nominal', scale: null } } },
    { data: { values }, mark: { type: 'text', align: 'left', dx: 5 }, encoding: { y, x: { field: 'labelAt', type: 'quantitative' }, text: { field: 'label' } } },
  ];
  const goalValues = goals.map((g) => ({ ...g, kind: 'goal' }));
  if (goals.length > 0 && perBar) layer.push({ data: { values: goalValues }, mark: { type: 'tick', color: GOAL, thickness: 3 }, encoding: { y, x } });
  if (goals.length > 0 && !perBar) layer.push({ data: { values: goalValues }, mark: { type: 'rule', color: GOAL, strokeDash: [4, 3], strokeWidth: 2 }, encoding: { x } });
  return { title, width: 340, height: { step: 28 }, layer } as PanelSpec;
}

/**
 * Pure: the Vega-Lite spec of the benchmark chart. Panels (only those with data): throughput per stage with the
 * 70 %-of-raw goals on extract and load, the extractor's CPU per row against the floor (goal: the lower of 2× floor
 * and 40 µs), peak RSS per stage/service with the 300 MB goal, the incremental run with the 5 s goal, 1+1 against
 * 2+2 instances, and the rows each of two extractors took. Titled with the row count, the machine line and the
 * run's date (and the simulator latency when there was one).
 */
export function chartSpec(r: BenchResults): TopLevelSpec {
  const panels: PanelSpec[] = [];
  const throughput: Bar[] = [];
  const goals: Goal[] = [];
  const raw = r.simulatorRaw?.rowsPerSec;
  const store = r.storeRaw?.docsPerSec;
  // a stage with a goal relative to its raw reference: ratio in the label, goal tick when the reference was measured
  const versus = (name: string, value: number, ref: number | undefined, refName: string): void => {
    if (!ref) {
      throughput.push({ name, value, label: `${n(value)} rows/s`, color: BLUE });
      return;
    }
    const goal = ref * GOALS.throughputRatio;
    goals.push({ name, value: goal });
    const label = `${n(value)} rows/s = ${pct(value / ref)} of ${refName} (goal ${pct(GOALS.throughputRatio)})`;
    throughput.push({ name, value, label, color: value < goal ? RED : BLUE });
  };
  if (raw !== undefined) throughput.push({ name: 'simulator raw', value: raw, label: `${n(raw)} rows/s`, color: BLUE });
  if (r.extract) versus('extract', r.extract.rowsPerSec, raw, 'raw');
  if (store !== undefined) throughput.push({ name: 'store raw', value: store, label: `${n(store)} docs/s`, color: BLUE });
  if (r.load) versus('load', r.load.rowsPerSec, store, 'store raw');
  if (r.e2e) throughput.push({ name: 'e2e full sync', value: r.e2e.rowsPerSec, label: `${n(r.e2e.rowsPerSec)} rows/s, ${r.e2e.seconds} s${verified(r.e2e.ok)}`, color: BLUE });
  if (throughput.length > 0) panels.push(barPanel('Throughput (red tick: goal)', 'rows/s (store raw: docs/s)', throughput, goals, true));

  const cpu = r.extract?.cpuMicrosPerRow;
  const floor = r.floor?.cpuMicrosPerRow;
  if (cpu !== undefined || floor !== undefined) {
    const bars: Bar[] = [];
    const ticks: Goal[] = [];
    if (cpu !== undefined) {
      const limit = Math.min(GOALS.cpuMicrosPerRow, floor === undefined ? Infinity : GOALS.cpuOverFloor * floor);
      const ratio = floor === undefined ? '' : ` = ${(cpu / floor).toFixed(1)}× floor`;
      bars.push({ name: 'extract (whole process)', value: cpu, label: `${cpu} µs${ratio} (goal ≤ ${GOALS.cpuOverFloor}× floor, ≤ ${GOALS.cpuMicrosPerRow} µs)`, color: cpu > limit ? RED : BLUE });
      ticks.push({ name: 'extract (whole process)', value: limit });
    }
    if (floor !== undefined) bars.push({ name: 'floor (parse + Avro)', value: floor, label: `${floor} µs`, color: BLUE });
    panels.push(barPanel('CPU per row (red tick: goal)', 'µs of CPU per row', bars, ticks, true));
  }

  const rss: [string, number | undefined][] = [['extract stage', r.extract?.peakRssMb], ['load stage', r.load?.peakRssMb], ...Object.entries(r.peakRssMb ?? {}).map(([s, mb]): [string, number] => [`${s} (e2e)`, mb])];
  const rssBars = rss.filter((e): e is [string, number] => e[1] !== undefined).map(([name, mb]) => ({ name, value: mb, label: `${n(mb)} MB`, color: mb > GOALS.peakRssMb ? RED : BLUE }));
  if (rssBars.length > 0) panels.push(barPanel(`Peak RSS, goal < ${GOALS.peakRssMb} MB (dashed)`, 'MB', rssBars, [{ name: 'goal', value: GOALS.peakRssMb }], false));

  if (r.incremental) {
    const { seconds, changed, ok } = r.incremental;
    const bar = { name: `${n(changed)} changes`, value: seconds, label: `${seconds} s${verified(ok)}`, color: seconds > GOALS.incrementalSeconds ? RED : BLUE };
    panels.push(barPanel(`Incremental sync, goal < ${GOALS.incrementalSeconds} s (dashed)`, 'seconds', [bar], [{ name: 'goal', value: GOALS.incrementalSeconds }], false));
  }
  if (r.scaling) {
    const { oneEachSeconds: one, twoEachSeconds: two, speedup, ok } = r.scaling;
    const bars = [{ name: '1+1 instances', value: one, label: `${one} s` }, { name: '2+2 instances', value: two, label: `${two} s${verified(ok)}` }].map((b) => ({ ...b, color: BLUE }));
    panels.push(barPanel(`Scaling: full sync, speedup ×${speedup}`, 'seconds', bars, [], false));
  }
  if (r.extractScaling) {
    const { instances, speedup, ok } = r.extractScaling;
    const bars = instances.map((x, i) => ({ name: `extractor ${i + 1}`, value: x.rows, label: `${n(x.rows)} rows, ${x.windows} windows`, color: x.windows > 0 ? BLUE : RED }));
    panels.push(barPanel(`Scale-out: 2 extractors share the windows${ok === false ? ' (NOT both)' : ''}, ×${speedup} of 1`, 'rows extracted', bars, [], false));
  }
  if (panels.length === 0) panels.push({ title: 'No stage results', mark: { type: 'text' }, data: { values: [{ t: 'no stages in this results file' }] }, encoding: { text: { field: 't' } } });

  const date = `${r.at.slice(0, 16).replace('T', ' ')} UTC${r.latencyMs ? `, simulator answers ${r.latencyMs} ms late` : ''}`;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `dynsync benchmark, ${n(r.rows)} rows`, subtitle: [describeMachine(r.machine), date], anchor: 'start' },
    columns: 2,
    spacing: 40,
    concat: panels,
    config: { view: { stroke: null }, title: { fontSize: 14 } },
  };
}

/** Renders `chartSpec(results)` headless with Vega to an SVG document (text starting with `<svg`). */
export async function renderChartSvg(results: BenchResults): Promise<string> {
  const view = new View(parseVega(compile(chartSpec(results)).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Renders the results file at `jsonPath` to the same path with `.svg` in place of `.json`; returns the SVG path. */
export async function writeChartFor(jsonPath: string): Promise<string> {
  const svgPath = jsonPath.replace(/\.json$/, '') + '.svg';
  writeFileSync(svgPath, await renderChartSvg(JSON.parse(readFileSync(jsonPath, 'utf8')) as BenchResults));
  return svgPath;
}

if (import.meta.main) {
  const paths = process.argv.slice(2);
  if (paths.length === 0) throw new Error('usage: npx node bench/chart.ts <results.json>…');
  for (const p of paths) console.log(`chart written to ${await writeChartFor(p)}`);
}
