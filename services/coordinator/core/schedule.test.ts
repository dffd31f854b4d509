import { describe, expect, it } from 'vitest';
import { dueTriggers, nextFireMs, validateSchedule } from './schedule.ts';

const seed = { full: '0 2 * * *', incremental: '0 */2 * * *', timeZone: 'UTC' };
const at = (iso: string) => Date.parse(iso);

describe('nextFireMs', () => {
  it.each([
    ['0 */2 * * *', 'UTC', '2026-03-01T10:30:00Z', '2026-03-01T12:00:00Z'],
    ['0 */2 * * *', 'UTC', '2026-03-01T12:00:00Z', '2026-03-01T14:00:00Z'],
    ['0 2 * * *', 'UTC', '2026-03-01T02:00:00Z', '2026-03-02T02:00:00Z'],
    ['0 2 * * *', 'Europe/Paris', '2026-03-01T00:00:00Z', '2026-03-01T01:00:00Z'],
    ['0 2 * * *', 'America/New_York', '2026-07-01T00:00:00Z', '2026-07-01T06:00:00Z'],
  ])('%s in %s after %s → %s', (cron, tz, after, next) => expect(nextFireMs(cron, tz, at(after))).toBe(at(next)));

  it.each([
    ['bad expression', { ...seed, full: 'every night' }],
    ['bad time zone', { ...seed, timeZone: 'Mars/Olympus' }],
  ])('refuses a %s', (_n, s) => expect(() => validateSchedule(s)).toThrow(/invalid/));
});

describe('dueTriggers (injected clock)', () => {
  it.each([
    ['first evaluation only records now', {}, '2026-03-01T10:30:00Z', [], { full: '2026-03-01T10:30:00Z', incremental: '2026-03-01T10:30:00Z' }],
    ['nothing due yet', { full: '2026-03-01T10:30:00Z', incremental: '2026-03-01T10:30:00Z' }, '2026-03-01T11:59:59Z', [], { full: '2026-03-01T10:30:00Z', incremental: '2026-03-01T10:30:00Z' }],
    ['incremental due at 12:00', { full: '2026-03-01T10:30:00Z', incremental: '2026-03-01T10:30:00Z' }, '2026-03-01T12:00:00Z', ['incremental@2026-03-01T12:00:00Z'], { full: '2026-03-01T10:30:00Z', incremental: '2026-03-01T12:00:00Z' }],
    ['both due at 02:00, full first', { full: '2026-03-01T01:00:00Z', incremental: '2026-03-01T01:00:00Z' }, '2026-03-01T02:00:05Z', ['full@2026-03-01T02:00:00Z', 'incremental@2026-03-01T02:00:00Z'], { full: '2026-03-01T02:00:00Z', incremental: '2026-03-01T02:00:00Z' }],
    ['after a day down: once, for the latest slot', { full: '2026-03-01T10:30:00Z', incremental: '2026-03-01T10:30:00Z' }, '2026-03-02T15:10:00Z', ['full@2026-03-02T02:00:00Z', 'incremental@2026-03-02T14:00:00Z'], { full: '2026-03-02T02:00:00Z', incremental: '2026-03-02T14:00:00Z' }],
  ])('%s', (_n, last, now, due, lastFired) => {
    const toMs = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, at(v)]));
    const r = dueTriggers(seed, toMs(last), at(now));
    expect(r.due.map((d) => `${d.kind}@${new Date(d.fireMs).toISOString().replace('.000', '')}`)).toEqual(due);
    expect(r.lastFired).toEqual(toMs(lastFired));
  });
});
