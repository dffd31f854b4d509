import { describe, expect, it } from 'vitest';
import { boundsOf, evaluate, type FilterValue } from './filter-eval.ts';
import { FilterSyntaxError, filterProps, parseFilter } from './filter-parser.ts';

const row: Record<string, FilterValue> = {
  name: "O'Brien Ltd",
  statecode: 0,
  revenue: '1500.2500',
  modifiedon: Date.UTC(2024, 0, 15, 10, 0, 0),
  new_day: '2024-03-15',
  _ownerid_value: '0a1b2c3d-0000-1000-8000-00000000abcd',
  donotemail: true,
  description: null,
  'CanChangeTrackingBeEnabled/Value': true,
  OwnershipType: 'UserOwned',
};
const read = (p: string): FilterValue => (p in row ? (row[p] ?? null) : null);

describe('$filter parse + evaluate', () => {
  it.each([
    ["name eq 'o''brien ltd'", true],
    ["name ne 'x'", true],
    ['statecode eq 0', true],
    ['statecode eq 1', false],
    ['revenue gt 1500', true],
    ['revenue ge 1500.25 and revenue lt 1500.26', true],
    ['modifiedon ge 2024-01-15T10:00:00Z and modifiedon lt 2024-01-15T10:00:01Z', true],
    ['modifiedon gt 2024-01-15T10:00:00Z', false],
    ['modifiedon lt 2024-01-15T12:00:00+02:00', false],
    ['new_day eq 2024-03-15', true],
    ['_ownerid_value eq 0A1B2C3D-0000-1000-8000-00000000ABCD', true],
    ["_ownerid_value eq '0a1b2c3d-0000-1000-8000-00000000abcd'", true],
    ['description eq null', true],
    ['description ne null', false],
    ['name ne null and (statecode eq 1 or donotemail eq true)', true],
    ['not (statecode eq 0)', false],
    ['donotemail', true],
    ["contains(name,'brien')", true],
    ["startswith(name,'o''b') and endswith(name,'LTD')", true],
    ['CanChangeTrackingBeEnabled/Value eq true', true],
    ["OwnershipType eq Microsoft.Dynamics.CRM.OwnershipTypes'UserOwned'", true],
    ['statecode gt null', false],
  ])('%s → %s', (src, expected) => {
    expect(evaluate(parseFilter(src), read)).toBe(expected);
  });

  it.each([
    ["lastname eq 'O'Bryan'", "There is an unterminated literal at position 21 in 'lastname eq 'O'Bryan''."],
    ["lastname eq 'abc", 'There is an unterminated literal at position 16'],
    ['name eq', 'Syntax error at position 7'],
    ['(statecode eq 0', 'Syntax error'],
    ['', 'Syntax error'],
    ["Microsoft.Dynamics.CRM.In(PropertyName='x',PropertyValues=['1'])", 'not supported'],
  ])('rejects %s', (src, message) => {
    expect(() => parseFilter(src)).toThrow(FilterSyntaxError);
    expect(() => parseFilter(src)).toThrow(message);
  });

  it('lists the properties it reads', () => {
    expect([...filterProps(parseFilter("a eq 1 and (b gt 2 or contains(c,'x'))"))]).toEqual(['a', 'b', 'c']);
  });
});

describe('boundsOf', () => {
  const t0 = Date.UTC(2024, 0, 1);
  const t1 = Date.UTC(2024, 0, 2);
  it.each([
    ['modifiedon ge 2024-01-01T00:00:00Z and modifiedon lt 2024-01-02T00:00:00Z', { lo: t0, hi: t1 }],
    ['modifiedon gt 2024-01-01T00:00:00Z and modifiedon le 2024-01-02T00:00:00Z', { lo: t0 + 1, hi: t1 + 1 }],
    ['2024-01-01T00:00:00Z le modifiedon', { lo: t0 }],
    ['modifiedon ge 2024-01-01T00:00:00Z or statecode eq 0', {}],
    ['statecode eq 0 and (modifiedon lt 2024-01-02T00:00:00Z)', { hi: t1 }],
    ['versionnumber gt 100 and versionnumber gt 120', { lo: 121 }],
    ['accountid eq 0A1B2C3D-0000-1000-8000-00000000ABCD', { eq: '0a1b2c3d-0000-1000-8000-00000000abcd' }],
  ])('%s', (src, expected) => {
    const path = src.includes('versionnumber') ? 'versionnumber' : src.includes('accountid') ? 'accountid' : 'modifiedon';
    expect(boundsOf(parseFilter(src), path)).toEqual(expected);
  });
});
