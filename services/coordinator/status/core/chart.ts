/**
 * Geometry of the throughput chart (pure): an SVG polyline and area over the last `spanMs`, y from 0 to a round
 * maximum. Only numbers end up in the SVG attributes; labels are plain text the renderers escape or set as text.
 */
import type { ThroughputPoint } from './throughput.ts';
import { formatDuration, formatRate } from '../../../shared/display-format.ts';

/** What the page draws. */
export interface ChartView {
  width: number;
  height: number;
  /** `points` of the polyline (`x,y x,y …`), empty when there is nothing to draw. */
  line: string;
  /** `points` of the filled area under the line. */
  area: string;
  /** Label of the top of the y axis (`50/s`). */
  yMaxLabel: string;
  /** Label of the left end of the x axis (`-10m00s`). */
  fromLabel: string;
  /** One line under the chart: latest and peak rate, or why there is nothing yet. */
  caption: string;
  empty: boolean;
}

/** Chart size and time span. */
export interface ChartOptions {
  width: number;
  height: number;
  spanMs: number;
}

/** Margins of the plot inside the SVG (the y label sits in the left one, the x labels in the bottom one). */
export const CHART_PAD = { left: 44, right: 6, top: 8, bottom: 16 } as const;
const PAD = CHART_PAD;

/** The smallest of 1, 2, 5 × 10^k that is ≥ `v` (at least 1). */
export function niceCeil(v: number): number {
  if (!(v > 1)) return 1;
  const base = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * base >= v) return m * base;
  return 10 * base;
}

/** The chart of `points` (oldest first) ending at `nowMs`. */
export function chartView(points: readonly ThroughputPoint[], nowMs: number, opts: ChartOptions): ChartView {
  const { width, height, spanMs } = opts;
  const startMs = nowMs - spanMs;
  const shown = points.filter((p) => p.atMs >= startMs && p.atMs <= nowMs && Number.isFinite(p.perSec));
  const peak = shown.reduce((m, p) => Math.max(m, p.perSec), 0);
  const yMax = niceCeil(peak);
  const plotW = width - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const xy = (p: ThroughputPoint) => {
    const px = PAD.left + ((p.atMs - startMs) / spanMs) * plotW;
    const py = PAD.top + plotH * (1 - Math.max(0, p.perSec) / yMax);
    return `${px.toFixed(1)},${py.toFixed(1)}`;
  };
  const line = shown.map(xy).join(' ');
  const bottom = (PAD.top + plotH).toFixed(1);
  const first = shown[0];
  const last = shown[shown.length - 1];
  const area =
    first && last
      ? `${xy(first).split(',')[0]},${bottom} ${line} ${xy(last).split(',')[0]},${bottom}`
      : '';
  const caption = last
    ? `latest ${formatRate(last.perSec)} · peak ${formatRate(peak)} · last ${formatDuration(spanMs)}`
    : 'No throughput samples yet: the status server samples the run record counts every few seconds.';
  return { width, height, line, area, yMaxLabel: `${formatRate(yMax)}`, fromLabel: `-${formatDuration(spanMs)}`, caption, empty: shown.length === 0 };
}
