/**
 * The simulator's server clock: the machine clock plus an adjustable offset. The `Date` header, token
 * timestamps and `modifiedon` of new changes all follow it, so tests can move time without waiting.
 */
import type { Clock } from '../../shared/clock.ts';

/** A shiftable clock. */
export class SimClock implements Clock {
  private offsetMs = 0;
  private readonly base: Clock;

  constructor(base: Clock) {
    this.base = base;
  }

  /** Current simulated time (epoch ms). */
  nowMs(): number {
    return this.base.nowMs() + this.offsetMs;
  }

  /** Current simulated time truncated to whole seconds, as Dataverse stores `modifiedon`. */
  nowSeconds(): number {
    return Math.floor(this.nowMs() / 1000) * 1000;
  }

  /** Moves the clock by `deltaMs` (may be negative). */
  shift(deltaMs: number): void {
    this.offsetMs += deltaMs;
  }

  /** Sets the clock to `ms` from now on. */
  set(ms: number): void {
    this.offsetMs = ms - this.base.nowMs();
  }

  /** The current offset from the machine clock. */
  offset(): number {
    return this.offsetMs;
  }
}
