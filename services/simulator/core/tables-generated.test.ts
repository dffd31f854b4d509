import { describe, expect, it } from 'vitest';
import { KIND_INFO, dataColumns, type ColumnKind } from './schema.ts';
import { TableModel } from './table-model.ts';
import { generatedRows, generatedTable, generatedTables } from './tables-generated.ts';
import { guidFor, guidSpace } from './guid.ts';
import { hashString } from './hash.ts';

const anchorMs = Date.UTC(2026, 0, 1);

describe('generated tables', () => {
  const tables = generatedTables(1, 500);

  it('are deterministic per seed and differ between seeds', () => {
    expect(generatedTables(1, 20).map((t) => JSON.stringify(t))).toEqual(generatedTables(1, 20).map((t) => JSON.stringify(t)));
    expect(generatedTables(2, 20).map((t) => t.rows(0))).not.toEqual(generatedTables(1, 20).map((t) => t.rows(0)));
  });

  it('hold 0 to 2,000 rows, about 200,000 in 500 tables, mostly small, some empty', () => {
    const sizes = tables.map((t) => t.rows(1_000));
    const total = sizes.reduce((a, b) => a + b, 0);
    expect(Math.min(...sizes)).toBe(0);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(2_000);
    expect(Math.max(...sizes)).toBeGreaterThan(1_500);
    expect(total).toBeGreaterThan(150_000);
    expect(total).toBeLessThan(260_000);
    expect(sizes.filter((n) => n === 0).length).toBeGreaterThan(10);
    expect(sizes.filter((n) => n < 500).length).toBeGreaterThan(250);
  });

  it('scale with the largest size asked for', () => {
    expect(generatedRows(1, 7, 100)).toBeLessThanOrEqual(100);
    expect(tables.map((t, k) => generatedRows(1, k + 1, 2_000))).toEqual(tables.map((t) => t.rows(0)));
  });

  it('have varied column sets of every syncable kind, unique names, and a few without change tracking', () => {
    const kinds = new Set<ColumnKind>();
    const widths = new Set<number>();
    for (const t of tables) {
      const names = t.columns.map((c) => c.logicalName);
      expect(new Set(names).size).toBe(names.length);
      for (const c of t.columns) kinds.add(c.kind);
      widths.add(dataColumns(t).length);
      expect(t.entitySetName).toBe(`${t.logicalName}s`);
    }
    for (const k of ['String', 'Memo', 'Integer', 'BigInt', 'Decimal', 'Double', 'Money', 'Boolean', 'Picklist', 'MultiSelectPicklist', 'DateTime', 'Lookup', 'Customer', 'Uniqueidentifier', 'Owner', 'State', 'Status'] as ColumnKind[]) {
      expect(kinds.has(k), k).toBe(true);
    }
    expect(widths.size).toBeGreaterThan(15);
    const untracked = tables.filter((t) => !t.changeTracking).length;
    expect(untracked).toBeGreaterThan(5);
    expect(untracked).toBeLessThan(60);
    expect(new Set(tables.map((t) => t.logicalName)).size).toBe(500);
  });

  it('generate values of the column types, values at the limits in row 0 and nulls in row 1', () => {
    const def = generatedTable(1, 3);
    const m = new TableModel(def, 50, 1_000, { seed: 1, anchorMs });
    m.attach({ anchorMs, rowsOf: () => 10, guidOf: (t, i) => guidFor(guidSpace(hashString(t)), i) });
    for (let i = 0; i < 50; i++) for (const c of dataColumns(def)) expect(() => m.baseValue(i, c)).not.toThrow();
    expect(m.extremeOrdinal(0)).toBeGreaterThanOrEqual(0);
    expect(m.extremeOrdinal(1)).toBeGreaterThanOrEqual(0);
    const nullable = dataColumns(def).filter((c) => c.custom && c.logicalName !== 'new_name' && c.kind !== 'Boolean' && KIND_INFO[c.kind].data);
    expect(nullable.every((c) => m.baseValue(1, c) === null)).toBe(true);
  });
});
