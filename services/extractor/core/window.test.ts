import { describe, expect, it } from 'vitest';
import { isEmptyWindow, isSplittable, normaliseWindow, odataDateTime, splitWindow, windowFilter } from './window.ts';

const t = (iso: string) => new Date(iso);
const S = 1000;

describe('normaliseWindow', () => {
  it.each([
    ['whole seconds stay', '2024-01-01T00:00:00Z', '2024-01-01T00:00:10Z', '2024-01-01T00:00:00Z', '2024-01-01T00:00:10Z'],
    ['from rounds down', '2024-01-01T00:00:00.900Z', '2024-01-01T00:00:10Z', '2024-01-01T00:00:00Z', '2024-01-01T00:00:10Z'],
    ['to rounds up', '2024-01-01T00:00:00Z', '2024-01-01T00:00:10.001Z', '2024-01-01T00:00:00Z', '2024-01-01T00:00:11Z'],
  ])('%s', (_name, from, to, nf, nt) => {
    expect(normaliseWindow(t(from), t(to))).toEqual({ fromMs: t(nf).getTime(), toMs: t(nt).getTime() });
  });
});

describe('isSplittable / isEmptyWindow', () => {
  it.each([
    [0, 0, false, true],
    [5 * S, 5 * S, false, true],
    [6 * S, 5 * S, false, true],
    [0, S, false, false],
    [0, 2 * S, true, false],
    [0, 86_400 * S, true, false],
  ])('[%i, %i) splittable=%s empty=%s', (fromMs, toMs, splittable, empty) => {
    expect(isSplittable({ fromMs, toMs })).toBe(splittable);
    expect(isEmptyWindow({ fromMs, toMs })).toBe(empty);
  });
});

describe('splitWindow', () => {
  const cases: [string, string, string][] = [
    ['two seconds', '2024-01-01T00:00:00Z', '2024-01-01T00:00:02Z'],
    ['three seconds (odd)', '2024-01-01T00:00:00Z', '2024-01-01T00:00:03Z'],
    ['one day', '2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z'],
    ['since 1970', '1970-01-01T00:00:00Z', '2026-05-17T12:34:56Z'],
    ['millisecond edges', '2024-01-01T00:00:00.500Z', '2024-01-01T00:00:02.250Z'],
    ['leap day', '2024-02-29T23:59:59Z', '2024-03-01T00:00:01Z'],
  ];
  it.each(cases)('%s: halves are non-empty, adjacent, whole-second cut, union = parent', (_name, from, to) => {
    const halves = splitWindow(t(from), t(to));
    expect(halves).not.toBeNull();
    const { first, second } = halves!;
    expect(first.from).toEqual(t(from));
    expect(second.to).toEqual(t(to));
    expect(first.to).toEqual(second.from);
    expect(first.to.getTime() % S).toBe(0);
    expect(first.to.getTime()).toBeGreaterThan(t(from).getTime());
    expect(first.to.getTime()).toBeLessThan(t(to).getTime());
    // non-empty after normalisation, and the normalised halves tile the normalised parent
    const a = normaliseWindow(first.from, first.to);
    const b = normaliseWindow(second.from, second.to);
    const p = normaliseWindow(t(from), t(to));
    expect(isEmptyWindow(a) || isEmptyWindow(b)).toBe(false);
    expect([a.fromMs, a.toMs === b.fromMs, b.toMs]).toEqual([p.fromMs, true, p.toMs]);
  });

  it.each([
    ['one second', '2024-01-01T00:00:00Z', '2024-01-01T00:00:01Z'],
    ['empty', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z'],
    ['inverted', '2024-01-01T00:00:05Z', '2024-01-01T00:00:00Z'],
    ['sub-second inside one second', '2024-01-01T00:00:00.100Z', '2024-01-01T00:00:00.900Z'],
  ])('%s cannot be split', (_name, from, to) => {
    expect(splitWindow(t(from), t(to))).toBeNull();
  });

  it('repeated halving always ends in one-second windows that tile the parent', () => {
    const parent = { from: t('2024-01-01T00:00:00Z'), to: t('2024-01-01T00:00:37Z') };
    const leaves: { from: Date; to: Date }[] = [];
    const walk = (w: { from: Date; to: Date }) => {
      const h = splitWindow(w.from, w.to);
      if (!h) return void leaves.push(w);
      walk(h.first);
      walk(h.second);
    };
    walk(parent);
    expect(leaves).toHaveLength(37);
    leaves.forEach((leaf, i) => expect(leaf.from.getTime()).toBe(parent.from.getTime() + i * S));
  });
});

describe('OData literals', () => {
  it.each([
    [Date.UTC(2024, 0, 1), '2024-01-01T00:00:00Z'],
    [Date.UTC(2024, 0, 1, 12, 30, 5, 999), '2024-01-01T12:30:05Z'],
    [0, '1970-01-01T00:00:00Z'],
  ])('%i → %s', (ms, literal) => {
    expect(odataDateTime(ms)).toBe(literal);
  });

  it('builds the half-open filter with unquoted literals', () => {
    expect(windowFilter({ fromMs: Date.UTC(2024, 0, 1), toMs: Date.UTC(2024, 0, 2) })).toBe(
      'modifiedon ge 2024-01-01T00:00:00Z and modifiedon lt 2024-01-02T00:00:00Z',
    );
  });
});
