import { describe, expect, it } from 'vitest';
import { knownRows, linkAgeMs, linkClean, linkCovers, trackedWork, windowWork, type RangeRows } from './table-sizing.ts';

const opts = { singleRows: 5000, windowRows: 4000, targetWindows: 16 };
const H = 3_600_000;
const T0 = Date.UTC(2026, 5, 1, 12);
const OVERLAP = 300_000;
/** A delta link whose snapshot was taken at `ms` (whole seconds, UTC). */
const linkAt = (ms: number) => {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  const token = `919042!${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}/${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
  return `https://org/api/data/v9.2/accounts?$select=accountid&$deltatoken=${encodeURIComponent(token)}`;
};
const BAD_LINK = 'https://org/api/data/v9.2/accounts?$deltatoken=nope';

describe('knownRows (sizes a new table topic)', () => {
  it.each<[string, RangeRows | undefined, number | null]>([
    ['an estimate', { kind: 'estimate', rows: 2000 }, 2000],
    ['an exact count', { kind: 'count', rows: 12, capped: false }, 12],
    ['a capped count is a lower bound: unknown', { kind: 'count', rows: 5000, capped: true }, null],
    ['nothing known', { kind: 'unknown' }, null],
    ['no size', undefined, null],
  ])('%s', (_n, rows, want) => expect(knownRows(rows)).toBe(want));
});

describe('windowWork', () => {
  it.each<[string, RangeRows, ReturnType<typeof windowWork>]>([
    ['nothing known: probed windows, as before sizing', { kind: 'unknown' }, { kind: 'split', windows: 16 }],
    ['a count of 0: no window', { kind: 'count', rows: 0, capped: false }, { kind: 'none' }],
    ['a count of 1: one window in one go', { kind: 'count', rows: 1, capped: false }, { kind: 'single', expectedRows: 1 }],
    ['a count at the single limit', { kind: 'count', rows: 5000, capped: false }, { kind: 'single', expectedRows: 5000 }],
    ['a capped count: the most windows', { kind: 'count', rows: 5000, capped: true }, { kind: 'split', windows: 16 }],
    ['an estimate of 0: one window (an estimate may be stale)', { kind: 'estimate', rows: 0 }, { kind: 'single', expectedRows: 0 }],
    ['an estimate of 2,000', { kind: 'estimate', rows: 2000 }, { kind: 'single', expectedRows: 2000 }],
    ['an estimate just above one page: at least two windows', { kind: 'estimate', rows: 5001 }, { kind: 'split', windows: 2 }],
    ['an estimate of 20,000: rows / windowRows', { kind: 'estimate', rows: 20_000 }, { kind: 'split', windows: 5 }],
    ['an estimate of 10M: at most targetWindows', { kind: 'estimate', rows: 10_000_000 }, { kind: 'split', windows: 16 }],
  ])('%s', (_n, rows, want) => expect(windowWork(rows, opts)).toEqual(want));

  it.each([
    ['singleRows 0: only an exact 0 is skipped, everything else is split', { ...opts, singleRows: 0 }, { kind: 'estimate', rows: 10 } as RangeRows, { kind: 'split', windows: 2 }],
    ['singleRows 0 and a count of 0: no window', { ...opts, singleRows: 0 }, { kind: 'count', rows: 0, capped: false } as RangeRows, { kind: 'none' }],
    ['singleRows above the cap is held at 5,000', { ...opts, singleRows: 9000 }, { kind: 'estimate', rows: 6000 } as RangeRows, { kind: 'split', windows: 2 }],
    ['targetWindows 1 still splits a big range in two', { ...opts, targetWindows: 1 }, { kind: 'estimate', rows: 100_000 } as RangeRows, { kind: 'split', windows: 2 }],
  ])('%s', (_n, o, rows, want) => expect(windowWork(rows, o)).toEqual(want));
});

describe('linkCovers', () => {
  const W = T0 - 2 * H;
  it.each([
    ['no watermark', { link: linkAt(W - H), runId: 'r1', clean: true }, null, false],
    ['stored by the watermark run, clean', { link: linkAt(W + 10_000), runId: 'r1', clean: true }, { ms: W, runId: 'r1' }, true],
    ['stored by the watermark run, not clean', { link: linkAt(W + 10_000), runId: 'r1', clean: false }, { ms: W, runId: 'r1' }, false],
    ['a later run moved the watermark, snapshot before W − overlap', { link: linkAt(W - OVERLAP - 1000), runId: 'r0', clean: false }, { ms: W, runId: 'r1' }, true],
    ['a later run moved the watermark, snapshot at W − overlap', { link: linkAt(W - OVERLAP), runId: 'r0', clean: true }, { ms: W, runId: 'r1' }, false],
    ['a later run moved the watermark, snapshot inside the overlap', { link: linkAt(W - 1000), runId: 'r0', clean: true }, { ms: W, runId: 'r1' }, false],
    ['a later run, unreadable token', { link: BAD_LINK, runId: 'r0', clean: true }, { ms: W, runId: 'r1' }, false],
  ])('%s', (_n, link, mark, want) => expect(linkCovers(link, mark, OVERLAP)).toBe(want));
});

describe('linkAgeMs', () => {
  it.each([
    ['an hour old', linkAt(T0 - H), T0, H],
    ['taken in the future (clock skew): negative', linkAt(T0 + 1000), T0, -1000],
    ['unreadable token', BAD_LINK, T0, null],
  ])('%s', (_n, link, now, want) => expect(linkAgeMs(link, now)).toBe(want));
});

describe('trackedWork', () => {
  it.each([
    ['unchanged and covered: nothing to read, no delta task', 0, true, false, { windows: 'skip', deltaTask: false }],
    ['unchanged and covered, link getting old: a delta task for a fresh link', 0, true, true, { windows: 'skip', deltaTask: true }],
    ['unchanged, not covered: count the range', 0, false, false, { windows: 'count', deltaTask: false }],
    ['unchanged, not covered, stale', 0, false, true, { windows: 'count', deltaTask: true }],
    ['changes: count the range, delta task for the deletes', 3, true, false, { windows: 'count', deltaTask: true }],
    ['the check failed (or the token expired): count, and the delta task reports it', null, true, false, { windows: 'count', deltaTask: true }],
  ] as const)('%s', (_n, changes, covers, stale, want) => expect(trackedWork(changes, covers, stale)).toEqual(want));
});

describe('linkClean', () => {
  const threshold = T0 - OVERLAP;
  it.each([
    ['initial scan, every row older than T0 − overlap', threshold - 1, null, true],
    ['initial scan of an empty table', null, null, true],
    ['initial scan, a row modified at T0 − overlap', threshold, null, false],
    ['initial scan, a row modified after T0', T0 + 1000, null, false],
    ['consumed link older than T0 − overlap, no change', null, linkAt(threshold - 1000), true],
    ['consumed link older than T0 − overlap, old changes', threshold - 60_000, linkAt(threshold - 1000), true],
    ['consumed link taken inside the overlap', null, linkAt(threshold + 1000), false],
    ['consumed link with an unreadable token', null, BAD_LINK, false],
  ])('%s', (_n, maxModified, consumed, want) => expect(linkClean(maxModified, consumed, T0, OVERLAP)).toBe(want));
});
