import { describe, expect, it } from 'vitest';
import { evaluate } from '../core/filter-eval.ts';
import { parseFilter } from '../core/filter-parser.ts';
import { isoSeconds } from '../core/value-codec.ts';
import { Catalog } from './catalog.ts';
import { compareKeys, countMatches, runPage, resumeKeyOf, type OrderItem } from './query-executor.ts';
import { SimClock } from './sim-clock.ts';
import type { TableStore } from './table-store.ts';

const anchorMs = Date.UTC(2026, 0, 1);
const clock = new SimClock({ nowMs: () => anchorMs + 86_400_000 });

function mutatedCatalog(): Catalog {
  const cat = new Catalog({ seed: 7, rows: 6_000, anchorMs, clock });
  const t = cat.table('account')!;
  const now = clock.nowSeconds();
  t.update(10, new Map([['name', 'Renamed']]), now);
  t.remove(11, now);
  t.backdate(5_000, anchorMs - 400 * 86_400_000, now);
  for (let k = 0; k < 30; k++) t.create(new Map(), now - 3_600_000);
  t.remove(6_001, now);
  return cat;
}

/** Every matching live index, in the query's order, computed naively. */
function bruteForce(t: TableStore, filter: string | null, order: OrderItem[]): number[] {
  const e = filter ? parseFilter(filter) : null;
  const out: number[] = [];
  for (let i = 0; i < t.indexEnd; i++) {
    if (!t.isLive(i)) continue;
    if (e && !evaluate(e, (p) => (t.property(p) ? t.value(i, t.property(p)!) : null))) continue;
    out.push(i);
  }
  return out
    .map((i) => resumeKeyOf(t, order, i))
    .sort((a, b) => compareKeys(order, a, b))
    .map((k) => k.index);
}

function pageThrough(t: TableStore, filter: string | null, order: OrderItem[], size: number): number[] {
  const e = filter ? parseFilter(filter) : null;
  const out: number[] = [];
  let after;
  for (let guard = 0; guard < 10_000; guard++) {
    const page = runPage(t, { filter: e, orderby: order, limit: size, ...(after ? { after } : {}) });
    out.push(...page.indices);
    const last = page.indices.at(-1);
    if (!page.more || last === undefined) break;
    after = resumeKeyOf(t, order, last);
  }
  return out;
}

describe('query executor', () => {
  const cat = mutatedCatalog();
  const t = cat.table('account')!;
  const col = (n: string) => t.property(n)!;
  const from = isoSeconds(anchorMs - 60 * 86_400_000);
  const to = isoSeconds(anchorMs - 10 * 86_400_000);
  const filters = [
    null,
    `modifiedon ge ${from} and modifiedon lt ${to}`,
    `modifiedon lt ${isoSeconds(anchorMs - 300 * 86_400_000)}`,
    `modifiedon ge ${isoSeconds(anchorMs)}`,
    'statecode eq 1 and (revenue gt 1000000 or revenue eq null)',
    `versionnumber gt ${t.model.versionBase + 5_990}`,
    `accountid eq ${t.model.guid(42)}`,
    "contains(name,'contoso')",
  ];
  const orders: Array<[string, OrderItem[]]> = [
    ['default', []],
    ['modifiedon asc', [{ col: col('modifiedon'), desc: false }]],
    ['modifiedon desc, accountid desc', [{ col: col('modifiedon'), desc: true }, { col: col('accountid'), desc: true }]],
    ['versionnumber asc', [{ col: col('versionnumber'), desc: false }]],
    ['name asc (slow path)', [{ col: col('name'), desc: false }]],
    ['revenue desc, modifiedon asc (slow path)', [{ col: col('revenue'), desc: true }, { col: col('modifiedon'), desc: false }]],
  ];
  const cases = filters.flatMap((f) => orders.map(([name, o]) => [f ?? '(none)', name, o] as const));

  it.each(cases)('filter %s, order %s: paging returns exactly the matches, in order, without duplicates', (f, _n, order) => {
    const filter = f === '(none)' ? null : f;
    const expected = bruteForce(t, filter, order);
    const got = pageThrough(t, filter, order, 777);
    expect(got).toEqual(expected);
  });

  it.each([
    [1, 500],
    [2, 1],
    [4, 30],
  ])('filter #%i matches at least %i rows (the comparisons above are not vacuous)', (k, min) => {
    expect(bruteForce(t, filters[k] ?? null, []).length).toBeGreaterThanOrEqual(min);
  });

  it('reflects overlay mutations', () => {
    expect(t.isLive(11)).toBe(false);
    expect(t.value(10, col('name'))).toBe('Renamed');
    expect(t.liveCount).toBe(6_000 - 1 + 29);
    expect(countMatches(t, null, 5_000)).toBe(5_001);
    expect(countMatches(t, parseFilter("name eq 'Renamed'"), 5_000)).toBe(1);
  });
});
