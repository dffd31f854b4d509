/**
 * The concurrency limit of one connection: a semaphore whose ceiling comes from `x-ms-dop-hint` (adjustable at run
 * time) and whose current limit backs off on 429 and ramps back up (additive increase, multiplicative decrease).
 * No clock: the ramp counts successful requests, so it is deterministic and testable without waiting.
 */

/** Releases the slot taken by {@link AdaptiveSemaphore.acquire}; calling it twice is harmless. */
export type Release = () => void;

interface Waiter {
  resolve: (release: Release) => void;
  reject: (err: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/** A semaphore with a run-time-adjustable ceiling and an AIMD current limit. */
export class AdaptiveSemaphore {
  private ceilingValue: number;
  private limitValue: number;
  private active = 0;
  private successes = 0;
  private readonly queue: Waiter[] = [];

  /** `ceiling` ≥ 1 is the most requests in flight; the limit starts at the ceiling. */
  constructor(ceiling: number) {
    this.ceilingValue = clampCount(ceiling);
    this.limitValue = this.ceilingValue;
  }

  /** Most requests allowed in flight (from `x-ms-dop-hint` or configuration). */
  get ceiling(): number {
    return this.ceilingValue;
  }

  /** Requests allowed in flight right now (≤ ceiling; lowered after a 429). */
  get limit(): number {
    return this.limitValue;
  }

  /** Requests in flight. */
  get inFlight(): number {
    return this.active;
  }

  /** Requests waiting for a slot. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Changes the ceiling (at least 1); the current limit is capped by it, and raised to it only by the ramp. */
  setCeiling(ceiling: number): void {
    this.ceilingValue = clampCount(ceiling);
    this.limitValue = Math.min(this.limitValue, this.ceilingValue);
    this.drain();
  }

  /** A 429: halve the current limit (at least 1) and restart the ramp. */
  onThrottled(): void {
    this.limitValue = Math.max(1, Math.floor(this.limitValue / 2));
    this.successes = 0;
  }

  /** A successful request: after `limit` successes in a row at the current limit, allow one more (up to the ceiling). */
  onSuccess(): void {
    if (this.limitValue >= this.ceilingValue) return;
    if (++this.successes >= this.limitValue) {
      this.limitValue++;
      this.successes = 0;
      this.drain();
    }
  }

  /** Waits for a slot; rejects with the signal's reason if `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<Release> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.active < this.limitValue && this.queue.length === 0) return Promise.resolve(this.take());
    return new Promise<Release>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const i = this.queue.indexOf(waiter);
          if (i >= 0) this.queue.splice(i, 1);
          reject(signal?.reason);
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.queue.push(waiter);
    });
  }

  private take(): Release {
    this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.drain();
    };
  }

  private drain(): void {
    while (this.active < this.limitValue && this.queue.length > 0) {
      const w = this.queue.shift()!;
      w.signal?.removeEventListener('abort', w.onAbort);
      w.resolve(this.take());
    }
  }
}

function clampCount(n: number): number {
  return Number.isFinite(n) ? Math.max(1, Math.floor(n)) : 1;
}
