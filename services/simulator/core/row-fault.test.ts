import { describe, expect, it } from 'vitest';
import { applyRowFault, rowFaultsFor, type RowFault } from './row-fault.ts';

const ROW = '{"@odata.etag":"W/\\"42\\"","name":"A \\"quoted\\", name","revenue":16225.6600,"name@OData.Community.Display.V1.FormattedValue":"x","accountid":"d5026a4d-0000-1000-8000-000000000001","modifiedon":"2026-01-01T00:00:00Z"}';
const ID = 'd5026a4d-0000-1000-8000-000000000001';

describe('applyRowFault', () => {
  it.each<[string, Omit<RowFault, 'table' | 'id'>, Record<string, unknown>]>([
    ['wrong type', { set: { revenue: 'lots' } }, { revenue: 'lots' }],
    ['invalid date', { set: { modifiedon: '2026-13-45T99:00:00Z' } }, { modifiedon: '2026-13-45T99:00:00Z' }],
    ['unknown column', { set: { new_unknown: 7 } }, { new_unknown: 7, revenue: 16225.66 }],
    ['missing id', { unset: ['accountid'] }, { accountid: undefined, revenue: 16225.66 }],
    ['removes the first property too', { unset: ['@odata.etag'] }, { '@odata.etag': undefined, accountid: ID }],
    ['removes a string with escaped quotes and its annotation', { unset: ['name'] }, { name: undefined, 'name@OData.Community.Display.V1.FormattedValue': undefined, accountid: ID }],
  ])('%s', (_name, fault, expected) => {
    const out = applyRowFault(ROW, { table: 'account', id: ID, ...fault });
    const parsed = JSON.parse(out) as Record<string, unknown>;
    for (const [k, v] of Object.entries(expected)) expect(parsed[k]).toEqual(v);
    expect(out.match(/"revenue":/g)?.length ?? 0).toBeLessThanOrEqual(1); // never a duplicate key
  });

  it('keeps the exact text of untouched numbers', () => {
    expect(applyRowFault(ROW, { table: 'account', id: ID, set: { name: 'x'.repeat(5) } })).toContain('"revenue":16225.6600');
  });

  it('selects faults by logical or entity set name and lower-cases ids', () => {
    const faults: RowFault[] = [{ table: 'accounts', id: ID.toUpperCase() }, { table: 'contact', id: ID }];
    expect([...rowFaultsFor(faults, 'account', 'accounts').keys()]).toEqual([ID]);
    expect(rowFaultsFor(undefined, 'account', 'accounts').size).toBe(0);
  });
});
