import { describe, expect, it } from 'vitest';
import { formatDate, formatProgress, formatSkew, renderTable, toJsonText } from './format.ts';
import { formatCount } from '../shared/display-format.ts';

describe('renderTable', () => {
  it('aligns columns, right-aligns numbers and trims trailing spaces', () => {
    const rows = [
      { name: 'account', n: '12' },
      { name: 'new_widget', n: '1,234' },
    ];
    expect(renderTable(rows, [{ header: 'TABLE', value: (r) => r.name }, { header: 'ROWS', value: (r) => r.n, right: true }])).toBe(
      ['TABLE        ROWS', 'account        12', 'new_widget  1,234', ''].join('\n'),
    );
  });

  it('indents, prints only the header for no rows, and escapes control characters', () => {
    expect(renderTable([], [{ header: 'A', value: () => 'x' }], '  ')).toBe('  A\n');
    expect(renderTable([{ v: 'a\nb\u001b[31m' }], [{ header: 'V', value: (r) => r.v }])).toBe('V\na\\x0ab\\x1b[31m\n');
  });
});

describe('formatters', () => {
  it.each([
    [new Date('2026-03-01T10:00:00.123Z'), '2026-03-01 10:00:00Z'],
    ['2026-03-01T10:00:00Z', '2026-03-01 10:00:00Z'],
    [Date.UTC(2026, 0, 2), '2026-01-02 00:00:00Z'],
    [undefined, '-'],
    ['not a date', '-'],
    [{}, '-'],
  ])('formatDate(%j) = %s', (input, expected) => {
    expect(formatDate(input)).toBe(expected);
  });

  it.each([
    [1500, '+1.5 s (server ahead)'],
    [-240, '-0.2 s (server behind)'],
    [20, '0.0 s'],
    [-20, '0.0 s'],
    [600_000, '+600.0 s (server ahead)'],
  ])('formatSkew(%d) = %s', (ms, expected) => {
    expect(formatSkew(ms)).toBe(expected);
  });

  it.each([
    [0, '0'],
    [999, '999'],
    [1234567, '1,234,567'],
    [undefined, '-'],
    [Number.NaN, '-'],
  ])('formatCount(%j) = %s', (n, expected) => {
    expect(formatCount(n)).toBe(expected);
  });

  it.each([
    [1, 4, '1/4 (25%)'],
    [4, 4, '4/4 (100%)'],
    [2, 3, '2/3 (66%)'],
    [5, 4, '5/4 (100%)'],
    [undefined, 4, '0/4 (0%)'],
    [3, undefined, '3/?'],
    [undefined, undefined, '-'],
    [0, 0, '0/?'],
  ])('formatProgress(%j, %j) = %s', (done, total, expected) => {
    expect(formatProgress(done, total)).toBe(expected);
  });

  it('prints JSON with dates as ISO strings and a trailing newline', () => {
    expect(toJsonText({ at: new Date('2026-03-01T10:00:00Z'), n: 1 })).toBe('{\n  "at": "2026-03-01T10:00:00.000Z",\n  "n": 1\n}\n');
  });
});
