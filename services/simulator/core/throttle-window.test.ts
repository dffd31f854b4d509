import { describe, expect, it } from 'vitest';
import { formatRemainingSeconds, ThrottleWindow } from './throttle-window.ts';

const t0 = 1_700_000_000_000;

describe('throttle window', () => {
  it.each([
    // [requests limit, requests made in the first second, expected ok count]
    [5, 7, 5],
    [1, 3, 1],
    [100, 10, 10],
  ])('admits %i requests per window (sent %i)', (limit, sent, okCount) => {
    const w = new ThrottleWindow({ requests: limit, executionMs: 1e9, concurrency: 1000, windowSeconds: 300 });
    let ok = 0;
    for (let i = 0; i < sent; i++) {
      const a = w.admit('u', t0 + i);
      if (a.ok) {
        ok++;
        w.finish('u', t0 + i, 1);
      } else expect(a.code).toBe('0x80072322');
    }
    expect(ok).toBe(okCount);
  });

  it.each([
    // seconds after the burst, expected admission
    [299, false],
    [300, true],
  ])('slides: %i s later admitted=%s', (later, expected) => {
    const w = new ThrottleWindow({ requests: 2, executionMs: 1e9, concurrency: 10, windowSeconds: 300 });
    for (let i = 0; i < 2; i++) {
      expect(w.admit('u', t0).ok).toBe(true);
      w.finish('u', t0, 1);
    }
    const refused = w.admit('u', t0 + 1000);
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.retryAfterSeconds).toBe(299);
    expect(w.admit('u', t0 + later * 1000).ok).toBe(expected);
  });

  it('counts users separately', () => {
    const w = new ThrottleWindow({ requests: 1, executionMs: 1e9, concurrency: 10, windowSeconds: 60 });
    expect(w.admit('a', t0).ok).toBe(true);
    expect(w.admit('a', t0).ok).toBe(false);
    expect(w.admit('b', t0).ok).toBe(true);
  });

  it('trips concurrency immediately and frees it on finish', () => {
    const w = new ThrottleWindow({ requests: 100, executionMs: 1e9, concurrency: 2, windowSeconds: 60 });
    expect(w.admit('u', t0).ok).toBe(true);
    expect(w.admit('u', t0).ok).toBe(true);
    const third = w.admit('u', t0);
    expect(third).toMatchObject({ ok: false, code: '0x80072326', message: 'Number of concurrent requests exceeded the limit of 2.' });
    w.finish('u', t0, 5);
    expect(w.admit('u', t0).ok).toBe(true);
  });

  it('trips execution time once exceeded', () => {
    const w = new ThrottleWindow({ requests: 100, executionMs: 1000, concurrency: 10, windowSeconds: 60 });
    expect(w.admit('u', t0).ok).toBe(true);
    w.finish('u', t0 + 5000, 1001);
    const a = w.admit('u', t0 + 6000);
    expect(a).toMatchObject({ ok: false, code: '0x80072321' });
    if (!a.ok) expect(a.retryAfterSeconds).toBe(59);
  });

  it('extends Retry-After while the caller keeps hammering', () => {
    const w = new ThrottleWindow({ requests: 1, executionMs: 1e9, concurrency: 10, windowSeconds: 60 });
    w.admit('u', t0);
    const first = w.admit('u', t0);
    for (let i = 0; i < 20; i++) w.admit('u', t0);
    const later = w.admit('u', t0);
    if (first.ok || later.ok) throw new Error('expected refusals');
    expect(later.retryAfterSeconds).toBeGreaterThan(first.retryAfterSeconds);
  });

  it.each([
    [1_200_000, '1,200.00'],
    [5, '0.01'],
    [0, '0.00'],
  ])('formats %i ms as %s', (ms, text) => expect(formatRemainingSeconds(ms)).toBe(text));
});
