import { describe, expect, it } from 'vitest';
import { SyncError } from '../../shared/errors.ts';
import type { WindowScan } from '../../dataverse/compare/id-set-scan.ts';
import type { StoredRow } from '../../dataverse/compare/windows.ts';
import { isWhole, verifyExitCode, verifyTotals, VerifyTally, type TableVerify } from './verify-tally.ts';

const row = (id: string): StoredRow => ({ id, version: 1n, modifiedOnMs: 0 });
const window = { fromMs: 0, toMs: null };
/** A compared window: `stored` documents, `source` rows listed, the ids missing, stale and extra. */
const ok = (stored: number, source: number, missing: string[], stale: string[], extra: string[]): WindowScan => ({
  ok: true,
  comparison: { window, stored, source, missing: missing.length, missingExamples: missing, stale: stale.map(row), extra: extra.map(row) },
});
const failed = (stored: number, message: string): WindowScan => ({ ok: false, window, stored, error: new SyncError('DATAVERSE_UNAVAILABLE', message) });
/** Existence answers: the ids that still exist, or `unidentified` rows. */
type Step = [WindowScan, { existing: string[]; unidentified?: number } | 'check fails' | null];

function tally(steps: Step[]): TableVerify {
  const t = new VerifyTally('account');
  for (const [w, answer] of steps) {
    const extras = t.window(w);
    if (answer === 'check fails') t.checkFailed(extras.length, 'HTTP 503');
    else if (answer) t.checked(extras, { existing: new Set(answer.existing), unidentified: answer.unidentified ?? 0 });
  }
  return t.result();
}

describe('VerifyTally', () => {
  it.each<[string, Step[], Partial<TableVerify>]>([
    ['equal sets', [[ok(3, 3, [], [], []), null]], { source: 3, stored: 3, missing: 0, extra: 0, stale: 0, windows: 1, incomplete: null }],
    [
      'an extra document deleted at the source is extra',
      [[ok(3, 2, [], [], ['x1']), { existing: [] }]],
      { stored: 3, source: 2, missing: 0, extra: 1, stale: 0, examples: { missing: [], extra: ['x1'], stale: [] }, incomplete: null },
    ],
    [
      'an extra document that still exists moved to a later window: stale, and no longer missing there',
      [[ok(3, 2, [], [], ['m1']), { existing: ['m1'] }], [ok(1, 2, ['m1'], [], []), null]],
      { stored: 4, source: 4, missing: 0, extra: 0, stale: 1, examples: { missing: [], extra: [], stale: ['m1'] } },
    ],
    [
      'listed with another version: stale; a row not stored: missing',
      [[ok(2, 3, ['n1'], ['s1'], []), null]],
      { missing: 1, stale: 1, extra: 0, examples: { missing: ['n1'], extra: [], stale: ['s1'] } },
    ],
    [
      'a failed window makes the table incomplete, naming the reason',
      [[ok(2, 2, [], [], []), null], [failed(5000, 'Dataverse answered HTTP 503'), null]],
      { stored: 5002, source: 2, windows: 2, incomplete: '1 window (5,000 documents) not compared; Dataverse answered HTTP 503' },
    ],
    [
      'a failed existence check: incomplete, its documents neither extra nor stale',
      [[ok(3, 1, [], [], ['a', 'b']), 'check fails']],
      { extra: 0, stale: 0, incomplete: 'the existence check of 2 documents failed: HTTP 503' },
    ],
    [
      'an existence answer with a row without its primary id: incomplete, nothing concluded',
      [[ok(3, 2, [], [], ['a']), { existing: ['a'], unidentified: 1 }]],
      { extra: 0, stale: 0, incomplete: 'Dataverse returned 1 row without the primary id in the existence check of 1 document' },
    ],
    [
      'examples are capped at 5',
      [[ok(0, 7, ['1', '2', '3', '4', '5', '6', '7'], [], []), null]],
      { missing: 7, examples: { missing: ['1', '2', '3', '4', '5'], extra: [], stale: [] } },
    ],
  ])('%s', (_name, steps, expected) => {
    expect(tally(steps)).toMatchObject(expected);
  });
});

describe('verdict', () => {
  const whole = tally([[ok(3, 3, [], [], []), null]]);
  const extra = tally([[ok(3, 2, [], [], ['x']), { existing: [] }]]);
  const incomplete = tally([[failed(1, 'boom'), null]]);
  it.each<[string, TableVerify[], number]>([
    ['every table whole', [whole, whole], 0],
    ['no table', [], 0],
    ['one table with an extra document', [whole, extra], 1],
    ['one table incomplete', [whole, incomplete], 1],
  ])('%s → exit %i', (_name, tables, code) => {
    expect(verifyExitCode(tables)).toBe(code);
    expect(tables.every(isWhole)).toBe(code === 0);
  });

  it('sums the tables', () => {
    expect(verifyTotals([whole, extra, incomplete])).toEqual({ tables: 3, source: 5, stored: 7, missing: 0, extra: 1, stale: 0, incomplete: 1 });
  });
});
