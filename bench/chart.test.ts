import { describe, expect, it } from 'vitest';
import { chartSpec, describeMachine, renderChartSvg, type BenchResults } from './chart.ts';

const base = { at: '2026-11-28T03:22:19.871Z', rows: 100_000, machine: { cpuModel: 'AMD EPYC', cores: 2, memoryGb: 23.5, node: 'v24.21.0' } };
const full: BenchResults = {
  ...base,
  simulatorRaw: { rowsPerSec: 20_000 },
  extract: { rowsPerSec: 15_000, peakRssMb: 277 },
  storeRaw: { docsPerSec: 2_000 },
  load: { rowsPerSec: 700, peakRssMb: 569 },
  e2e: { seconds: 134.57, rowsPerSec: 743, ok: true },
  incremental: { seconds: 1.74, changed: 100, ok: true },
  peakRssMb: { loader: 525, extractor: 473, coordinator: 290 },
  scaling: { oneEachSeconds: 134.57, twoEachSeconds: 109.4, speedup: 1.23, ok: true },
};

interface Row { name: string; value: number; kind: string; label?: string; color?: string }
interface Layer { data: { values: Row[] }; mark: { type: string } }
interface Panel { title: string; layer: Layer[] }

/** The panel whose title starts with `prefix`, or undefined. */
function panel(r: BenchResults, prefix: string): Panel | undefined {
  const spec = chartSpec(r) as unknown as { concat: Panel[] };
  return spec.concat.find((p) => p.title.startsWith(prefix));
}
/** Names of the rows of `kind` in a panel (deduplicated: the bar and its label share rows). */
const names = (p: Panel | undefined, kind: string) => [...new Set(p?.layer.flatMap((l) => l.data.values).filter((v) => v.kind === kind).map((v) => v.name))];
const rows = (p: Panel | undefined, kind: string) => p?.layer.filter((l) => l.data.values.some((v) => v.kind === kind)).flatMap((l) => l.data.values).filter((v, i, a) => a.findIndex((w) => w.name === v.name) === i) ?? [];

describe('chartSpec', () => {
  it.each([
    { case: 'full results', r: full, bars: ['simulator raw', 'extract', 'store raw', 'load', 'e2e full sync'], goals: ['extract', 'load'] },
    { case: 'extract only', r: { ...base, simulatorRaw: full.simulatorRaw, extract: full.extract }, bars: ['simulator raw', 'extract'], goals: ['extract'] },
    { case: 'load only (no store raw: no goal)', r: { ...base, load: full.load }, bars: ['load'], goals: [] },
    { case: 'store raw and load', r: { ...base, storeRaw: full.storeRaw, load: full.load }, bars: ['store raw', 'load'], goals: ['load'] },
    { case: 'nothing', r: base, bars: [], goals: [] },
  ])('throughput bars and goal ticks: $case', ({ r, bars, goals }) => {
    const p = panel(r, 'Throughput');
    expect(names(p, 'bar')).toEqual(bars);
    expect(names(p, 'goal')).toEqual(goals);
    if (bars.length === 0) expect(p).toBeUndefined();
  });

  it.each([
    { case: 'full results', r: full, bars: ['extract stage', 'load stage', 'loader (e2e)', 'extractor (e2e)', 'coordinator (e2e)'] },
    { case: 'load only', r: { ...base, load: full.load }, bars: ['load stage'] },
    { case: 'e2e only', r: { ...base, peakRssMb: { loader: 100 } }, bars: ['loader (e2e)'] },
    { case: 'no memory figures', r: { ...base, storeRaw: full.storeRaw }, bars: [] },
  ])('peak RSS bars and the 300 MB rule: $case', ({ r, bars }) => {
    const p = panel(r, 'Peak RSS');
    expect(names(p, 'bar')).toEqual(bars);
    if (bars.length === 0) return expect(p).toBeUndefined();
    expect(rows(p, 'goal')).toEqual([{ name: 'goal', value: 300, kind: 'goal' }]);
    expect(p?.layer.some((l) => l.mark.type === 'rule')).toBe(true);
  });

  it.each([
    { case: 'full results', r: full, incremental: true, scaling: true },
    { case: 'e2e without scaling', r: { ...full, scaling: undefined }, incremental: true, scaling: false },
    { case: 'no e2e', r: { ...base, load: full.load }, incremental: false, scaling: false },
  ])('incremental (5 s rule) and scaling panels: $case', ({ r, incremental, scaling }) => {
    const inc = panel(r, 'Incremental');
    expect(inc !== undefined).toBe(incremental);
    if (incremental) {
      expect(rows(inc, 'bar')).toMatchObject([{ name: '100 changes', value: 1.74 }]);
      expect(rows(inc, 'goal')).toMatchObject([{ value: 5 }]);
    }
    const sc = panel(r, 'Scaling');
    expect(sc !== undefined).toBe(scaling);
    if (scaling) expect(rows(sc, 'bar')).toMatchObject([{ name: '1+1 instances', value: 134.57 }, { name: '2+2 instances', value: 109.4 }]);
  });

  it.each([
    { name: 'extract', value: 15_000, goal: 14_000, label: '15,000 rows/s = 75 % of raw (goal 70 %)', color: '#4c78a8' },
    { name: 'load', value: 700, goal: 1_400, label: '700 rows/s = 35 % of store raw (goal 70 %)', color: '#d62728' },
  ])('$name goal is 70 % of its raw reference, the bar red only below it', ({ name, value, goal, label, color }) => {
    const p = panel(full, 'Throughput');
    expect(rows(p, 'bar').find((b) => b.name === name)).toMatchObject({ value, label, color });
    expect(rows(p, 'goal').find((g) => g.name === name)?.value).toBeCloseTo(goal);
  });

  it.each([
    { case: 'within both goals', cpu: 30, floor: 20, limit: 40, color: '#4c78a8', label: '30 µs = 1.5× floor (goal ≤ 2× floor, ≤ 40 µs)' },
    { case: 'over twice the floor', cpu: 30, floor: 12, limit: 24, color: '#d62728', label: '30 µs = 2.5× floor (goal ≤ 2× floor, ≤ 40 µs)' },
    { case: 'over 40 µs', cpu: 45, floor: 30, limit: 40, color: '#d62728', label: '45 µs = 1.5× floor (goal ≤ 2× floor, ≤ 40 µs)' },
  ])('CPU per row against the floor: $case', ({ cpu, floor, limit, color, label }) => {
    const p = panel({ ...base, extract: { ...full.extract!, cpuMicrosPerRow: cpu }, floor: { cpuMicrosPerRow: floor } }, 'CPU per row');
    expect(rows(p, 'bar')).toMatchObject([{ name: 'extract (whole process)', value: cpu, color, label }, { name: 'floor (parse + Avro)', value: floor }]);
    expect(rows(p, 'goal')).toMatchObject([{ name: 'extract (whole process)', value: limit }]);
  });

  it('no CPU panel without CPU figures', () => {
    expect(panel(full, 'CPU per row')).toBeUndefined();
  });

  it('shows how the windows were shared by two extractors, red for one that took none', () => {
    const p = panel({ ...base, extractScaling: { rowsPerSec: 9000, speedup: 1.1, ok: false, instances: [{ windows: 20, rows: 100_000 }, { windows: 0, rows: 0 }] } }, 'Scale-out');
    expect(p?.title).toContain('NOT both');
    expect(rows(p, 'bar')).toMatchObject([{ name: 'extractor 1', value: 100_000, color: '#4c78a8' }, { name: 'extractor 2', value: 0, color: '#d62728' }]);
  });

  it('titles the chart with the row count, the machine line and the date', () => {
    const spec = chartSpec(full) as { title?: { text: string; subtitle: string[] } };
    expect(spec.title?.text).toContain('100,000 rows');
    expect(spec.title?.subtitle).toEqual([describeMachine(full.machine), '2026-11-28 03:22 UTC']);
    expect(describeMachine(full.machine)).toBe('AMD EPYC, 2 cores, 23.5 GB, Node v24.21.0');
    const late = chartSpec({ ...full, latencyMs: 100 }) as { title?: { subtitle: string[] } };
    expect(late.title?.subtitle[1]).toBe('2026-11-28 03:22 UTC, simulator answers 100 ms late');
  });
});

describe('renderChartSvg', () => {
  it('renders an SVG document with the panels and labels', async () => {
    const svg = await renderChartSvg({ ...base, rows: 1000, load: { rowsPerSec: 2235, peakRssMb: 263 }, incremental: { seconds: 7.5, changed: 10 } });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('1,000 rows');
    expect(svg).toContain('2,235 rows/s');
    expect(svg).toContain('Peak RSS, goal &lt; 300 MB');
    expect(svg).toContain('10 changes');
    expect(svg).not.toContain('Scaling');
  });
});
