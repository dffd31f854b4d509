/**
 * The schedule of a connection (pure, clock injected as `nowMs`): cron expressions in a time zone, evaluated with
 * croner. Defaults (the seed's): full refresh nightly at 02:00, incremental every 2 hours.
 *
 * A kind fires when its next fire time after the last one is due. After downtime it fires once, for the latest
 * missed time, not once per missed slot. The first evaluation only records `now` (a new coordinator does not
 * start runs for slots before it existed).
 */
import { Cron } from 'croner';
import { SyncError } from '../../shared/errors.ts';
import type { SyncKind } from '../../contracts/control-messages.ts';

/** A connection's schedule. */
export interface Schedule {
  full: string;
  incremental: string;
  timeZone: string;
}

/** When each kind last fired (epoch ms); undefined = never evaluated. */
export type LastFired = Partial<Record<SyncKind, number>>;

function cron(pattern: string, timeZone: string): Cron {
  try {
    return new Cron(pattern, { timezone: timeZone, paused: true });
  } catch (err) {
    throw new SyncError('CONFIG_INVALID', `schedule "${pattern}" (${timeZone}) is invalid: ${(err as Error).message}`);
  }
}

/** The first fire time strictly after `afterMs`, or null if the expression never fires again. */
export function nextFireMs(pattern: string, timeZone: string, afterMs: number): number | null {
  return cron(pattern, timeZone).nextRun(new Date(afterMs))?.getTime() ?? null;
}

/** Throws CONFIG_INVALID when an expression or the time zone is invalid. */
export function validateSchedule(s: Schedule): void {
  nextFireMs(s.full, s.timeZone, 0);
  nextFireMs(s.incremental, s.timeZone, 0);
}

/** Evaluates the schedule at `nowMs`: the kinds due (full first) with their fire time, and the new LastFired. */
export function dueTriggers(s: Schedule, last: LastFired, nowMs: number): { due: { kind: SyncKind; fireMs: number }[]; lastFired: LastFired } {
  const due: { kind: SyncKind; fireMs: number }[] = [];
  const lastFired: LastFired = { ...last };
  for (const kind of ['full', 'incremental'] as const) {
    const prev = last[kind];
    if (prev === undefined) {
      lastFired[kind] = nowMs;
      continue;
    }
    const c = cron(kind === 'full' ? s.full : s.incremental, s.timeZone);
    let fire: number | null = null;
    for (let t = c.nextRun(new Date(prev))?.getTime() ?? null, i = 0; t !== null && t <= nowMs && i < 100_000; i++) {
      fire = t;
      t = c.nextRun(new Date(t))?.getTime() ?? null;
    }
    if (fire !== null) {
      due.push({ kind, fireMs: fire });
      lastFired[kind] = fire;
    }
  }
  return { due, lastFired };
}
