import { describe, expect, it } from 'vitest';
import { isSyncError } from '../shared/errors.ts';
import { checkConnectionId, parseConnectTables, parseSchedule, resolveFlow, type FlowFlags } from './connect-options.ts';

const now = new Date('2026-03-01T10:00:00Z');
const flags = (f: Partial<FlowFlags>): FlowFlags => ({ secretGiven: false, autoConsent: false, port: false, noBrowser: false, ...f });

describe('resolveFlow', () => {
  it.each([
    [{ secretGiven: true }, 'client-credentials'],
    [{}, 'delegated'],
    [{ secretGiven: true, autoConsent: true }, 'delegated'],
    [{ secretGiven: true, port: true }, 'delegated'],
    [{ secretGiven: true, noBrowser: true }, 'delegated'],
    [{ secretGiven: true, flow: 'delegated' }, 'delegated'],
    [{ flow: 'client-credentials' }, 'client-credentials'],
  ] as [Partial<FlowFlags>, string][])('%j → %s', (f, expected) => {
    expect(resolveFlow(flags(f))).toBe(expected);
  });

  it.each([
    [{ flow: 'implicit' }, '--flow must be client-credentials or delegated'],
    [{ flow: 'client-credentials', autoConsent: true }, 'belong to the delegated'],
  ] as [Partial<FlowFlags>, string][])('refuses %j', (f, message) => {
    expect(() => resolveFlow(flags(f))).toThrow(message);
  });
});

describe('checkConnectionId', () => {
  it.each([['acme'], ['acme-prod_2'], ['0x']])('accepts %j', (id) => expect(checkConnectionId(id)).toBe(id));
  it.each([['Acme'], ['acme.prod'], ['-acme'], ['a'.repeat(49)], ['']])('refuses %j', (id) => {
    expect(() => checkConnectionId(id)).toThrow('is not a valid connection id');
  });
});

describe('parseSchedule', () => {
  it('defaults to the seed schedule in UTC', () => {
    expect(parseSchedule({}, now)).toEqual({ full: '0 2 * * *', incremental: '0 */2 * * *', timeZone: 'UTC' });
  });

  it('accepts custom expressions and an IANA zone, normalising spaces', () => {
    expect(parseSchedule({ fullCron: ' 30  1 * * 0 ', incrementalCron: '*/15 * * * *', timeZone: 'Europe/Paris' }, now)).toEqual({
      full: '30 1 * * 0',
      incremental: '*/15 * * * *',
      timeZone: 'Europe/Paris',
    });
  });

  it.each([
    [{ timeZone: 'Mars/Base' }, '--time-zone "Mars/Base" is not an IANA time zone'],
    [{ fullCron: '61 2 * * *' }, '--full-cron "61 2 * * *" is not a valid cron expression'],
    [{ incrementalCron: 'every 2 hours' }, '--incremental-cron "every 2 hours" must be a 5-field cron expression'],
    [{ fullCron: '0 0 0 2 * *' }, 'must be a 5-field cron expression'],
    [{ fullCron: '0 0 31 2 *' }, 'never fires'],
  ])('refuses %j', (f, message) => {
    let err: unknown;
    try {
      parseSchedule(f, now);
    } catch (e) {
      err = e;
    }
    expect(isSyncError(err, 'CONFIG_INVALID')).toBe(true);
    expect((err as Error).message).toContain(message);
  });
});

describe('parseConnectTables', () => {
  it.each([
    [undefined, 'all'],
    ['all', 'all'],
    ['account,contact', ['account', 'contact']],
  ])('%j → %j', (text, expected) => {
    expect(parseConnectTables(text)).toEqual(expected);
  });
});
