import { describe, expect, it } from 'vitest';
import { equalCountWindows, floorToSecond, FULL_RANGE_START_MS, geometricWindows, planWindows, type Window } from './windows.ts';

const H = 3_600_000;
const T0 = Date.UTC(2026, 5, 1, 12);
const opts = { targetWindows: 8, minWindowMs: 1000 };

/** Windows are contiguous, half-open, on whole seconds, and cover [from, to) exactly. */
function expectTiling(ws: Window[], from: number, to: number): void {
  expect(ws[0]!.fromMs).toBe(from);
  expect(ws.at(-1)!.toMs).toBe(to);
  ws.forEach((w, i) => {
    expect(w.toMs).toBeGreaterThan(w.fromMs);
    expect(Math.abs(w.fromMs % 1000)).toBe(0);
    if (i > 0) expect(w.fromMs).toBe(ws[i - 1]!.toMs);
  });
}

describe('floorToSecond', () => {
  it.each([
    [1_500, 1_000],
    [2_000, 2_000],
    [-1_500, -2_000],
    [FULL_RANGE_START_MS, FULL_RANGE_START_MS],
  ])('%d → %d', (ms, expected) => expect(floorToSecond(ms)).toBe(expected));
});

describe('geometricWindows', () => {
  it.each([
    ['full range', FULL_RANGE_START_MS, T0, 8, 8],
    ['two hours', T0 - 2 * H, T0, 8, 8],
    ['five seconds allows five windows at most', T0 - 5000, T0, 8, 5],
    ['one second is one window', T0 - 1000, T0, 8, 1],
  ])('%s', (_name, from, to, target, count) => {
    const ws = geometricWindows(from, to, { targetWindows: target, minWindowMs: 1000 });
    expectTiling(ws, from, to);
    expect(ws.length).toBeLessThanOrEqual(count);
    expect(ws.length).toBeGreaterThanOrEqual(Math.min(count, 2) === 2 && to - from >= 2000 ? 2 : 1);
  });

  it('is denser near now: each window is at most as wide as the one before it', () => {
    const ws = geometricWindows(T0 - 30 * 24 * H, T0, opts);
    for (let i = 1; i < ws.length; i++) expect(ws[i]!.toMs - ws[i]!.fromMs).toBeLessThanOrEqual(ws[i - 1]!.toMs - ws[i - 1]!.fromMs);
    expect(ws).toHaveLength(8);
  });

  it('is empty for an empty range', () => expect(geometricWindows(T0, T0, opts)).toEqual([]));
});

describe('equalCountWindows', () => {
  it('cuts where the previous counts accumulate evenly', () => {
    // 100 rows in the first hour, 300 in the second: 4 windows of ~100 rows each
    const history = [
      { fromMs: T0 - 2 * H, toMs: T0 - H, count: 100 },
      { fromMs: T0 - H, toMs: T0, count: 300 },
    ];
    const ws = equalCountWindows(T0 - 2 * H, T0, history, { targetWindows: 4, minWindowMs: 1000 })!;
    expectTiling(ws, T0 - 2 * H, T0);
    expect(ws.map((w) => (w.toMs - w.fromMs) / 60_000)).toEqual([60, 20, 20, 20]);
  });

  it.each([
    ['no history', []],
    ['only empty windows', [{ fromMs: T0 - H, toMs: T0, count: 0 }]],
  ])('returns null with %s', (_n, history) => expect(equalCountWindows(T0 - H, T0, history, opts)).toBeNull());

  it('extrapolates the newest density past the old range', () => {
    const history = [{ fromMs: T0 - 4 * H, toMs: T0 - 2 * H, count: 1000 }];
    const ws = equalCountWindows(T0 - 2 * H, T0, history, { targetWindows: 4, minWindowMs: 1000 })!;
    expect(ws.map((w) => (w.toMs - w.fromMs) / 60_000)).toEqual([30, 30, 30, 30]);
  });
});

describe('planWindows', () => {
  const full = [
    { fromMs: FULL_RANGE_START_MS, toMs: T0 - 24 * H, count: 10 },
    { fromMs: T0 - 24 * H, toMs: T0 - H, count: 10 },
    { fromMs: T0 - H, toMs: T0, count: 980 },
  ];
  it.each([
    ['uses history that covers the range', full, FULL_RANGE_START_MS, T0, 'equal'],
    ['ignores history far narrower than the range', [{ fromMs: T0 - H, toMs: T0, count: 10 }], FULL_RANGE_START_MS, T0, 'geometric'],
    ['falls back to geometric without history', [], T0 - 2 * H, T0, 'geometric'],
  ])('%s', (_n, history, from, to, expected) => {
    const ws = planWindows(from, to, history, opts);
    expectTiling(ws, from, to);
    const geo = geometricWindows(from, to, opts);
    expect(JSON.stringify(ws) === JSON.stringify(geo) ? 'geometric' : 'equal').toBe(expected);
  });

  it('puts most windows where most rows were', () => {
    const ws = planWindows(FULL_RANGE_START_MS, T0, full, opts);
    expect(ws.filter((w) => w.fromMs >= T0 - H).length).toBeGreaterThanOrEqual(6);
  });

  it('plans nothing for an empty or inverted range', () => {
    expect(planWindows(T0, T0, [], opts)).toEqual([]);
    expect(planWindows(T0, T0 - 1000, [], opts)).toEqual([]);
  });
});
