import { describe, expect, it } from 'vitest';
import { commandDisposition, expiredCommandMessage, formatAge } from './command-age.ts';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 11, 2, 12);
const policy = { maxAgeMs: 24 * HOUR, connections: /.*/ };

describe('commandDisposition', () => {
  it.each<[string, string | null, number, { maxAgeMs: number; connections: RegExp }, string]>([
    ['sent a second ago', 'contoso', NOW - 1000, policy, 'act'],
    ['sent before the first coordinator started, 23 h ago', 'contoso', NOW - 23 * HOUR, policy, 'act'],
    ['exactly the maximum age', 'contoso', NOW - 24 * HOUR, policy, 'act'],
    ['older than the maximum age', 'contoso', NOW - 24 * HOUR - 1, policy, 'expired'],
    ['a shorter maximum age', 'contoso', NOW - 2 * HOUR, { ...policy, maxAgeMs: HOUR }, 'expired'],
    ['from the future (clock skew)', 'contoso', NOW + 10 * 60_000, policy, 'act'],
    ['without a key (validation rejects it)', null, NOW - 1000, policy, 'act'],
    ['another deployment\'s connection', 'globex-eu', NOW - 1000, { ...policy, connections: /^acme-/ }, 'other-deployment'],
    ['another deployment\'s, old', 'globex-eu', NOW - 48 * HOUR, { ...policy, connections: /^acme-/ }, 'other-deployment'],
    ['this deployment\'s, old', 'acme-eu', NOW - 48 * HOUR, { ...policy, connections: /^acme-/ }, 'expired'],
  ])('%s: %s', (_name, key, sentMs, p, expected) => {
    expect(commandDisposition(key, sentMs, NOW, p)).toBe(expected);
  });
});

describe('expiredCommandMessage', () => {
  it('says when, by whom, how old, the limit and what to do, on one line', () => {
    const text = expiredCommandMessage({ kind: 'full-resync', connection: 'contoso', requestedBy: 'ops' }, NOW - 50 * HOUR, NOW, 24 * HOUR);
    expect(text).toBe('the full-resync command sent 2026-11-30T10:00:00.000Z by ops was 50.0 h old when a coordinator read it (COORDINATOR_COMMAND_MAX_AGE_MS is 24.0 h): not carried out; send it again with `dynsync resync contoso`');
  });

  it.each([[30_000, '1 min'], [50 * 60_000, '50 min'], [25.5 * HOUR, '25.5 h'], [96 * HOUR, '4.0 days']])('formatAge(%i) = %s', (ms, text) => {
    expect(formatAge(ms)).toBe(text);
  });
});
