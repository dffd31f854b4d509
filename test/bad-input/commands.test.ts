/**
 * Bad input, group 3 (pure part): malformed and unknown operator commands as the coordinator parses them from
 * `sync.commands`. Each rejection names the field and the problem, shows the expected format, and never copies
 * a long or secret-looking input. The same messages reaching sync.dlq and the coordinator's log from a running
 * coordinator are checked in pipeline.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { COMMAND_FORMAT, MAX_REASON_LENGTH, parseCommand } from '../../services/contracts/command.ts';
import { findSecrets } from './secret-scan.ts';

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJlLXNlY3JldA';
const ok = (extra: Record<string, unknown> = {}) => JSON.stringify({ kind: 'refresh', connection: 'c1', requestedBy: 'ops', ...extra });

describe('commands on sync.commands: parseCommand', () => {
  it.each<[string, string | null, string | null, RegExp]>([
    ['no value (a tombstone)', 'c1', null, /command has no value \(expected a JSON object\)/],
    ['truncated JSON', 'c1', ok().slice(0, -5), /command is not JSON \(syntax error at character \d+; the value has \d+ characters\)/],
    ['not JSON at all, holding a token', 'c1', `refresh c1 ${TOKEN}`, /command is not JSON/],
    ['a JSON array', 'c1', '[]', /the value: Invalid input: expected object, received array/],
    ['unknown kind', 'c1', ok({ kind: 'delete-all' }), /kind: Invalid option: expected one of "refresh"\|"full-resync"/],
    ['unknown field (typo "table")', 'c1', ok({ table: ['account'] }), /unknown field "table" \(a typo such as "table" is refused so it cannot widen a run\)/],
    ['tables as a string', 'c1', ok({ tables: 'account' }), /tables: Invalid input: expected array, received string/],
    ['requestedBy as a number', 'c1', ok({ requestedBy: 42 }), /requestedBy: Invalid input: expected string, received number/],
    ['an invalid table name', 'c1', ok({ tables: ['account', 'Robert"); DROP'] }), /tables\[1\]: a table logical name/],
    ['an invalid connection id', 'C/../x', JSON.stringify({ kind: 'refresh', connection: 'C/../x', requestedBy: 'ops' }), /connection: a connection id: lower-case letters, digits, _ and -/],
    ['an invalid requestedAt', 'c1', ok({ requestedAt: 'yesterday' }), /requestedAt: Invalid ISO datetime/],
    ['key differs from the connection', 'c2', ok(), /command key "c2" must equal its connection "c1"/],
    ['no key', null, ok(), /command key \(none\) must equal its connection "c1"/],
    ['a huge requestedBy (300 KB)', 'c1', ok({ requestedBy: 'x'.repeat(300_000) }), /requestedBy: Too big: expected string to have <=200 characters/],
    ['a huge table list (20,000)', 'c1', ok({ tables: Array.from({ length: 20_000 }, () => 'account') }), /tables: Too big: expected array to have <=10000 items/],
    ['a huge unknown field name', 'c1', ok({ ['k'.repeat(100_000)]: 1 }), /unknown field "k{60}…"/],
    ['an unknown field holding a token', 'c1', ok({ token: TOKEN }), /unknown field "token"/],
  ])('%s: rejected with the field, the problem and the expected format', (_name, key, value, reason) => {
    const r = parseCommand(key, value);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toMatch(reason);
    expect(r.reason).toContain(`Expected ${COMMAND_FORMAT}`);
    expect(r.reason.length).toBeLessThanOrEqual(MAX_REASON_LENGTH + COMMAND_FORMAT.length + 20);
    expect(findSecrets(r.reason, [TOKEN])).toEqual([]);
  });

  it('a byte-order mark before valid JSON is tolerated (Windows console producers add one)', () => {
    expect(parseCommand('c1', `\uFEFF${ok()}`)).toMatchObject({ ok: true, command: { kind: 'refresh', connection: 'c1' } });
  });
});
