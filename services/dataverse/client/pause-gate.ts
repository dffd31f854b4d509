/**
 * A per-connection pause gate. Dataverse's service protection limits are per user (reference A6): when one request
 * gets a 429, every request of that connection must hold off until the Retry-After deadline, not just the one that
 * was throttled. Every request calls {@link PauseGate.wait} before it is sent; a 429 calls {@link PauseGate.pauseFor}.
 */
import type { Clock } from '../../shared/clock.ts';

/** How the gate waits; `sleep` of services/shared/retry.ts in production, a fake in tests. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** Shared pause state of one connection. */
export class PauseGate {
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private deadlineMs = 0;

  constructor(clock: Clock, sleep: Sleep) {
    this.clock = clock;
    this.sleep = sleep;
  }

  /** Pauses every request until at least `ms` from now; an earlier deadline never shortens a later one. */
  pauseFor(ms: number): void {
    this.deadlineMs = Math.max(this.deadlineMs, this.clock.nowMs() + Math.max(0, ms));
  }

  /** The deadline in ms since the epoch (0 when never paused). */
  get pausedUntilMs(): number {
    return this.deadlineMs;
  }

  /** True while the deadline is in the future. */
  isPaused(): boolean {
    return this.clock.nowMs() < this.deadlineMs;
  }

  /**
   * Resolves once the deadline has passed, re-checking after each sleep because another 429 may have extended it
   * meanwhile. Resolves at once when not paused; rejects with the signal's reason when `signal` aborts.
   */
  async wait(signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      const remaining = this.deadlineMs - this.clock.nowMs();
      if (remaining <= 0) return;
      await this.sleep(remaining, signal);
    }
  }
}
