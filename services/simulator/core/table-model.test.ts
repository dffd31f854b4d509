import { describe, expect, it } from 'vitest';
import { guidFor, guidSpace, indexOfGuid, MAX_INDEX } from './guid.ts';
import { hashString } from './hash.ts';
import { dataColumns } from './schema.ts';
import { TableModel } from './table-model.ts';
import { new_widget } from './tables-custom.ts';
import { TABLES } from './tables-all.ts';

const anchorMs = Date.UTC(2026, 0, 1);

function model(seed: number, rows = 1_000_000): TableModel {
  const m = new TableModel(new_widget, rows, 1_000, { seed, anchorMs });
  m.attach({ anchorMs, rowsOf: () => 1_000, guidOf: (t, i) => guidFor(guidSpace(hashString(t)), i) });
  return m;
}

const row = (m: TableModel, i: number) => dataColumns(m.def).map((c) => m.baseValue(i, c));

describe('lazy generator', () => {
  it.each([0, 1, 4_242, 999_999])('row %i is a pure function of (seed, table, index)', (i) => {
    expect(row(model(5), i)).toEqual(row(model(5), i));
    expect(row(model(5), i)).not.toEqual(row(model(6), i));
  });

  it('generates every column with the value shape of its type', () => {
    const m = model(3, 2_000);
    for (let i = 0; i < 2_000; i += 97) {
      for (const c of dataColumns(m.def)) {
        const v = m.baseValue(i, c);
        if (v === null) continue;
        if (c.kind === 'Decimal' || c.kind === 'Money') expect(v).toMatch(c.kind === 'Money' ? /^-?\d+\.\d{4}$/ : new RegExp(`^-?\\d+\\.\\d{${c.precision}}$`));
        if (c.kind === 'DateTime') expect(typeof v === 'string' ? v : new Date(v as number).toISOString()).toMatch(c.behavior === 'DateOnly' ? /^\d{4}-\d{2}-\d{2}$/ : /:00\.000Z$|:\d{2}\.000Z$/);
        if (c.kind === 'MultiSelectPicklist') expect(v).toMatch(/^\d+(,\d+)*$/);
        if (c.kind === 'Lookup' || c.kind === 'Customer' || c.kind === 'Owner' || c.kind === 'Uniqueidentifier') expect(v).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      }
    }
  });

  it('keeps versionnumber and ids increasing with the index', () => {
    const m = model(1);
    const ids = [0, 1, 10, 1_000, 999_999].map((i) => m.guid(i));
    expect([...ids].sort()).toEqual(ids);
  });

  it('has at least one table without change tracking and an entity set that is not logical name + s', () => {
    expect(TABLES.some((t) => !t.changeTracking)).toBe(true);
    expect(TABLES.find((t) => t.logicalName === 'new_widget')?.entitySetName).toBe('new_widgetset');
  });
});

describe('sequential ids', () => {
  const space = guidSpace(hashString('account'));
  const other = guidSpace(hashString('contact'));
  it.each([0, 1, 255, 65_536, MAX_INDEX])('round-trips index %i and rejects other tables', (i) => {
    const id = guidFor(space, i);
    expect(indexOfGuid(space, id)).toBe(i);
    expect(indexOfGuid(space, id.toUpperCase())).toBe(i);
    expect(indexOfGuid(other, id)).toBeUndefined();
  });
  it.each(['', 'not-a-guid', '00000000-0000-0000-0000-000000000000'])('rejects %j', (id) => expect(indexOfGuid(space, id)).toBeUndefined());
});
