import { describe, expect, it } from 'vitest';
import { buildSyncCommand, parseTableList } from './sync-command.ts';

const now = new Date('2026-03-01T10:00:00.000Z');

describe('buildSyncCommand', () => {
  it('builds the documented shape, key order included', () => {
    const cmd = buildSyncCommand({ kind: 'refresh', connection: 'acme', tables: ['account', 'contact'], requestedBy: 'cli:ops', now });
    expect(JSON.stringify(cmd)).toBe('{"kind":"refresh","connection":"acme","tables":["account","contact"],"requestedBy":"cli:ops","requestedAt":"2026-03-01T10:00:00.000Z"}');
  });

  it.each([[undefined], ['all' as const]])('omits tables for %j (every table)', (tables) => {
    const cmd = buildSyncCommand({ kind: 'full-resync', connection: 'acme', tables, requestedBy: 'cli:ops', now });
    expect(JSON.stringify(cmd)).toBe('{"kind":"full-resync","connection":"acme","requestedBy":"cli:ops","requestedAt":"2026-03-01T10:00:00.000Z"}');
  });

  it.each([['Acme'], ['a.b'], [''], ['-x']])('refuses the connection id %j', (connection) => {
    expect(() => buildSyncCommand({ kind: 'refresh', connection, requestedBy: 'cli:ops', now })).toThrow('is not a connection id');
  });
});

describe('parseTableList', () => {
  it.each([
    ['all', 'all'],
    [' ALL ', 'all'],
    ['account', ['account']],
    ['account, Contact ,account', ['account', 'contact']],
    ['new_widget,', ['new_widget']],
  ])('%j → %j', (text, expected) => {
    expect(parseTableList(text)).toEqual(expected);
  });

  it.each([
    ['', '--tables is empty'],
    [' , ', '--tables is empty'],
    ['account;drop', '"account;drop" is not a table logical name'],
    ['account,all', '"all" is not a table logical name'],
    ['1account', '"1account" is not a table logical name'],
  ])('refuses %j', (text, message) => {
    expect(() => parseTableList(text)).toThrow(message);
  });
});
