import { describe, expect, it } from 'vitest';
import { parseCommand, runKindOf } from './command.ts';

describe('parseCommand', () => {
  it.each([
    ['refresh', 'c1', '{"kind":"refresh","connection":"c1","requestedBy":"ops"}', { kind: 'refresh', connection: 'c1', requestedBy: 'ops' }],
    ['full resync of tables', 'c1', '{"kind":"full-resync","connection":"c1","tables":["account","contact"],"requestedBy":"admin"}', { kind: 'full-resync', tables: ['account', 'contact'] }],
  ])('accepts %s', (_n, key, value, expected) => {
    const r = parseCommand(key, value);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.command).toMatchObject(expected);
  });

  it.each([
    ['no value', 'c1', null, /no value/],
    ['not JSON', 'c1', '{kind:refresh}', /not JSON/],
    ['unknown kind', 'c1', '{"kind":"delete-all","connection":"c1","requestedBy":"x"}', /kind/],
    ['unknown field (typo)', 'c1', '{"kind":"refresh","connection":"c1","table":["a"],"requestedBy":"x"}', /table/],
    ['empty tables', 'c1', '{"kind":"refresh","connection":"c1","tables":[],"requestedBy":"x"}', /tables/],
    ['bad table name', 'c1', '{"kind":"refresh","connection":"c1","tables":["Acc$"],"requestedBy":"x"}', /tables\[0\]: a table logical name/],
    ['missing requestedBy', 'c1', '{"kind":"refresh","connection":"c1"}', /requestedBy/],
    ['bad connection id', 'C 1', '{"kind":"refresh","connection":"C 1","requestedBy":"x"}', /connection/],
    ['key differs from connection', 'c2', '{"kind":"refresh","connection":"c1","requestedBy":"x"}', /key "c2" must equal/],
    ['no key', null, '{"kind":"refresh","connection":"c1","requestedBy":"x"}', /key \(none\)/],
    ['an array', 'c1', '[]', /invalid command/],
  ])('rejects %s', (_n, key, value, reason) => {
    const r = parseCommand(key, value);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  it.each([
    ['refresh', 'incremental'],
    ['full-resync', 'full'],
  ] as const)('%s runs %s', (kind, run) => expect(runKindOf({ kind, connection: 'c', requestedBy: 'x' })).toBe(run));
});
