import { describe, expect, it } from 'vitest';
import { WindowComparer } from './compare-window.ts';

const stored = (id: string, version = 1, modifiedOnMs = 1000) => ({ id, version: BigInt(version), modifiedOnMs });
const src = (id: string, version: number | null = 1, modifiedOnMs: number | null = 1000) => ({ id, version: version === null ? null : BigInt(version), modifiedOnMs });

describe('WindowComparer', () => {
  it('finds extra, missing and stale rows over several pages', () => {
    const c = new WindowComparer({ fromMs: 0, toMs: 5000 }, new Map([stored('a'), stored('b'), stored('c', 1), stored('d', 2, 2000)].map((r) => [r.id, r])));
    c.add([src('a'), src('x')]);
    c.add([src('c', 2), src('d', 2, 3000), src('y')]);
    const r = c.result();
    expect({ stored: r.stored, source: r.source, missing: r.missing, examples: r.missingExamples, stale: r.stale.map((s) => s.id), extra: r.extra.map((s) => s.id) }).toEqual({
      stored: 4, source: 5, missing: 2, examples: ['x', 'y'], stale: ['c', 'd'], extra: ['b'],
    });
  });

  it('compares ids only when versions were not listed', () => {
    const c = new WindowComparer({ fromMs: 0, toMs: null }, new Map([[stored('a', 7).id, stored('a', 7)]]));
    c.add([src('a', null, null)]);
    expect(c.result()).toMatchObject({ stale: [], extra: [], missing: 0 });
  });
});
