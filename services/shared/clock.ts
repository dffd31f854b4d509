/**
 * Time as an injected dependency: services read the clock through {@link Clock} so schedules, lags and token
 * expiry can be tested without waiting. Pure `core/` modules take times as arguments instead.
 */

/** A source of the current time. */
export interface Clock {
  /** Milliseconds since the epoch. */
  nowMs(): number;
}

/** The machine's clock. */
export const systemClock: Clock = { nowMs: () => Date.now() };

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  private ms: number;
  constructor(start: number | Date) {
    this.ms = typeof start === 'number' ? start : start.getTime();
  }
  nowMs(): number {
    return this.ms;
  }
  /** Moves the clock forward (or backward with a negative delta). */
  advance(ms: number): void {
    this.ms += ms;
  }
  /** Sets the clock. */
  set(ms: number | Date): void {
    this.ms = typeof ms === 'number' ? ms : ms.getTime();
  }
}
