import { describe, expect, it } from 'vitest';
import { chartView, niceCeil } from './chart.ts';

const NOW = 1_700_000_600_000;
const opts = { width: 150, height: 124, spanMs: 100_000 };
// plot area: x 44..144 (100 px for 100 s), y 8..108 (100 px)

describe('throughput chart geometry', () => {
  it.each([
    [0, 1],
    [0.4, 1],
    [1, 1],
    [1.01, 2],
    [3, 5],
    [7, 10],
    [10, 10],
    [11, 20],
    [420, 500],
    [Number.NaN, 1],
  ])('niceCeil(%s) = %s', (v, out) => expect(niceCeil(v)).toBe(out));

  it.each([
    {
      name: 'no points: empty chart with an explanation',
      points: [],
      line: '',
      area: '',
      yMax: '1.0/s',
      empty: true,
    },
    {
      name: 'points map onto the plot, y scaled to the rounded peak',
      points: [
        { atMs: NOW - 100_000, perSec: 0 },
        { atMs: NOW - 50_000, perSec: 25 },
        { atMs: NOW, perSec: 50 },
      ],
      line: '44.0,108.0 94.0,58.0 144.0,8.0',
      area: '44.0,108.0 44.0,108.0 94.0,58.0 144.0,8.0 144.0,108.0',
      yMax: '50/s',
      empty: false,
    },
    {
      name: 'points outside the span are not drawn',
      points: [
        { atMs: NOW - 200_000, perSec: 1_000 },
        { atMs: NOW - 10_000, perSec: 2 },
      ],
      line: '134.0,8.0',
      area: '134.0,108.0 134.0,8.0 134.0,108.0',
      yMax: '2.0/s',
      empty: false,
    },
  ])('$name', ({ points, line, area, yMax, empty }) => {
    const c = chartView(points, NOW, opts);
    expect(c.line).toBe(line);
    expect(c.area).toBe(area);
    expect(c.yMaxLabel).toBe(yMax);
    expect(c.empty).toBe(empty);
    expect(c.fromLabel).toBe('-1m40s');
    expect(c.caption).toMatch(empty ? /No throughput samples yet/ : /^latest .* · peak .*\/s · last 1m40s$/);
  });
});
