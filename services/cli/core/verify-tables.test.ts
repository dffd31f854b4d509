import { describe, expect, it } from 'vitest';
import { isSyncError } from '../../shared/errors.ts';
import { verifyTables } from './verify-tables.ts';

const org = ['contact', 'account', 'new_widget'];

describe('verifyTables', () => {
  it.each<[string, 'all' | string[] | undefined, 'all' | string[], { tables: string[]; absent: string[] }]>([
    ['every syncable table of an `all` connection, sorted', undefined, 'all', { tables: ['account', 'contact', 'new_widget'], absent: [] }],
    ['the connection\'s list, in its order', undefined, ['contact', 'account'], { tables: ['contact', 'account'], absent: [] }],
    ['`--tables all` is the selection', 'all', ['contact'], { tables: ['contact'], absent: [] }],
    ['a listed table the organisation lost is absent', undefined, ['account', 'gone_table'], { tables: ['account'], absent: ['gone_table'] }],
    ['--tables picks from the selection', ['account'], ['contact', 'account'], { tables: ['account'], absent: [] }],
    ['--tables of an `all` connection', ['new_widget', 'account'], 'all', { tables: ['new_widget', 'account'], absent: [] }],
  ])('%s', (_name, requested, selection, expected) => {
    expect(verifyTables('acme', requested, selection, org)).toEqual(expected);
  });

  it.each<[string, string[], 'all' | string[], string, string]>([
    ['a table the connection does not sync', ['new_widget'], ['account', 'contact'], 'CONFIG_INVALID', '--tables: connection "acme" does not sync table "new_widget" (its tables: account, contact)'],
    ['a table of no organisation (connection: all)', ['nope'], 'all', 'DATAVERSE_NOT_FOUND', '--tables: table "nope" does not exist in this organisation, or is not syncable (run `dynsync tables acme` to list them)'],
    ['a listed table the organisation does not have', ['gone_table'], ['gone_table'], 'DATAVERSE_NOT_FOUND', '--tables: table "gone_table" does not exist'],
  ])('refuses %s', (_name, requested, selection, code, message) => {
    let err: unknown;
    try {
      verifyTables('acme', requested, selection, org);
    } catch (e) {
      err = e;
    }
    expect(isSyncError(err) && err.code).toBe(code);
    expect((err as Error).message).toContain(message);
  });
});
