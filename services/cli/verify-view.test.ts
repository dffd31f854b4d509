import { describe, expect, it } from 'vitest';
import type { TableVerify } from './core/verify-tally.ts';
import { formatVerify, tableDoneLine, verifyProgressLine, verifyReport } from './verify-view.ts';

const table = (name: string, over: Partial<TableVerify> = {}): TableVerify => ({
  table: name, source: 1000, stored: 1000, missing: 0, extra: 0, stale: 0, examples: { missing: [], extra: [], stale: [] }, windows: 1, incomplete: null, ...over,
});

describe('formatVerify', () => {
  it('a whole copy: one row per table, a total, the verdict', () => {
    expect(formatVerify(verifyReport('acme', 'dynsync_acme', [table('account'), table('contact', { source: 20, stored: 20 })]))).toBe(
      [
        'TABLE    SOURCE  STORED  MISSING  EXTRA  STALE  RESULT',
        'account   1,000   1,000        0      0      0  ok',
        'contact      20      20        0      0      0  ok',
        'total     1,020   1,020        0      0      0  ok',
        '',
        'The copy of "acme" (database dynsync_acme) is whole: 2 tables, 1,020 rows, nothing missing, extra or stale.',
        '',
      ].join('\n'),
    );
  });

  it('differences with examples (… when there are more), an incomplete table with its reason', () => {
    const account = table('account', { missing: 1, extra: 7, stale: 1, examples: { missing: ['m1'], extra: ['e1', 'e2', 'e3', 'e4', 'e5'], stale: ['s1'] } });
    const lead = table('lead', { source: 0, stored: 40, incomplete: '1 window (40 documents) not compared; HTTP 503' });
    expect(formatVerify(verifyReport('acme', 'dynsync_acme', [account, lead]))).toBe(
      [
        'TABLE    SOURCE  STORED  MISSING  EXTRA  STALE  RESULT',
        'account   1,000   1,000        1      7      1  differs',
        'lead          0      40        0      0      0  incomplete',
        'total     1,000   1,040        1      7      1  differs',
        '',
        'account: missing e.g. m1',
        'account: extra e.g. e1, e2, e3, e4, e5, …',
        'account: stale e.g. s1',
        'lead: incomplete: 1 window (40 documents) not compared; HTTP 503',
        '',
        'The copy of "acme" (database dynsync_acme) differs from Dataverse: 1 missing, 7 extra, 1 stale; 1 table not compared completely.',
        '',
      ].join('\n'),
    );
  });

  it('no total row for a single table; the JSON report', () => {
    const r = verifyReport('acme', 'dynsync_acme', [table('account', { stale: 2 })]);
    expect(formatVerify(r)).not.toContain('total');
    expect(r).toMatchObject({ whole: false, total: { tables: 1, source: 1000, stored: 1000, missing: 0, extra: 0, stale: 2, incomplete: 0 } });
  });
});

describe('progress lines', () => {
  it.each([
    [verifyProgressLine('account', 3, 15_000), 'verifying account: 3 windows, 15,000 documents compared'],
    [tableDoneLine(table('account', { extra: 2 }), 2_345), 'verified account in 2.3 s: 1,000 source rows, 1,000 documents: 0 missing, 2 extra, 0 stale'],
    [tableDoneLine(table('lead', { incomplete: 'x' }), 100), 'verified lead in 0.1 s: 1,000 source rows, 1,000 documents: 0 missing, 0 extra, 0 stale (incomplete)'],
  ])('%s', (line, expected) => {
    expect(line).toBe(expected);
  });
});
