/**
 * Service protection limits (Dataverse api-limits): per user, over a sliding window (300 s by default) of
 * one-second buckets, a request-count limit and a combined execution-time limit, plus a concurrency limit.
 * Concurrency trips immediately; the other two trip once exceeded. Retry-After is the time until enough of
 * the window has slid out, extended while the caller keeps hammering. Pure: the caller passes the time.
 */

/** Configured limits. */
export interface ThrottleLimits {
  /** Requests per window (Dataverse default 6,000). */
  readonly requests: number;
  /** Combined execution time per window in ms (default 1,200,000). */
  readonly executionMs: number;
  /** Requests in flight at once (default 52). */
  readonly concurrency: number;
  /** Window length in seconds (default 300). */
  readonly windowSeconds: number;
}

/** Dataverse's documented defaults. */
export const DEFAULT_LIMITS: ThrottleLimits = { requests: 6_000, executionMs: 1_200_000, concurrency: 52, windowSeconds: 300 };

/** Outcome of {@link ThrottleWindow.admit}. */
export type Admission =
  | { readonly ok: true; readonly remainingRequests: number; readonly remainingExecutionMs: number }
  | { readonly ok: false; readonly code: string; readonly message: string; readonly retryAfterSeconds: number };

interface UserState {
  /** Ring of buckets indexed by second modulo window. */
  readonly secs: Float64Array;
  readonly counts: Float64Array;
  readonly exec: Float64Array;
  inFlight: number;
  rejectedSinceAdmit: number;
}

const fmt = new Intl.NumberFormat('en-US');

/** The error code and message for each limit, as the Web API reports them. */
export function throttleError(kind: 'requests' | 'execution' | 'concurrency', limits: ThrottleLimits): { code: string; message: string } {
  if (kind === 'requests') {
    return { code: '0x80072322', message: `Number of requests exceeded the limit of ${limits.requests} over time window of ${limits.windowSeconds} seconds.` };
  }
  if (kind === 'execution') {
    return {
      code: '0x80072321',
      message:
        `Combined execution time of incoming requests exceeded limit of ${fmt.format(limits.executionMs)} milliseconds over time window of ` +
        `${limits.windowSeconds} seconds. Decrease number of concurrent requests or reduce the duration of requests and try again later.`,
    };
  }
  return { code: '0x80072326', message: `Number of concurrent requests exceeded the limit of ${limits.concurrency}.` };
}

/** Per-user sliding-window accounting. */
export class ThrottleWindow {
  private readonly users = new Map<string, UserState>();
  limits: ThrottleLimits;

  constructor(limits: ThrottleLimits = DEFAULT_LIMITS) {
    this.limits = limits;
  }

  private state(user: string): UserState {
    let s = this.users.get(user);
    if (!s) {
      const n = this.limits.windowSeconds;
      s = { secs: new Float64Array(n).fill(-1), counts: new Float64Array(n), exec: new Float64Array(n), inFlight: 0, rejectedSinceAdmit: 0 };
      this.users.set(user, s);
    }
    return s;
  }

  /** Replaces the limits; accounting restarts (bucket sizes may change). */
  setLimits(limits: ThrottleLimits): void {
    this.limits = limits;
    this.users.clear();
  }

  /** Sums of the live buckets at `nowSec`, oldest first, for Retry-After computation. */
  private live(s: UserState, nowSec: number): { count: number; exec: number; buckets: Array<[number, number, number]> } {
    const w = this.limits.windowSeconds;
    let count = 0;
    let exec = 0;
    const buckets: Array<[number, number, number]> = [];
    for (let i = 0; i < w; i++) {
      const sec = s.secs[i] ?? -1;
      if (sec > nowSec - w && sec <= nowSec) {
        count += s.counts[i] ?? 0;
        exec += s.exec[i] ?? 0;
        buckets.push([sec, s.counts[i] ?? 0, s.exec[i] ?? 0]);
      }
    }
    buckets.sort((a, b) => a[0] - b[0]);
    return { count, exec, buckets };
  }

  private retryAfter(buckets: Array<[number, number, number]>, nowSec: number, excess: number, field: 1 | 2, s: UserState): number {
    let freed = 0;
    let wait = this.limits.windowSeconds;
    for (const b of buckets) {
      freed += b[field];
      if (freed >= excess) {
        wait = b[0] + this.limits.windowSeconds - nowSec;
        break;
      }
    }
    return Math.max(1, Math.ceil(wait) + Math.floor(s.rejectedSinceAdmit / 5));
  }

  /** Decides whether a request of `user` starting at `nowMs` may run; if so it is counted as in flight. */
  admit(user: string, nowMs: number): Admission {
    const s = this.state(user);
    const nowSec = Math.floor(nowMs / 1000);
    const { count, exec, buckets } = this.live(s, nowSec);
    let refusal: Admission | undefined;
    if (s.inFlight >= this.limits.concurrency) {
      refusal = { ok: false, ...throttleError('concurrency', this.limits), retryAfterSeconds: 1 + Math.floor(s.rejectedSinceAdmit / 5) };
    } else if (count >= this.limits.requests) {
      const retry = this.retryAfter(buckets, nowSec, count - this.limits.requests + 1, 1, s);
      refusal = { ok: false, ...throttleError('requests', this.limits), retryAfterSeconds: retry };
    } else if (exec > this.limits.executionMs) {
      const retry = this.retryAfter(buckets, nowSec, exec - this.limits.executionMs, 2, s);
      refusal = { ok: false, ...throttleError('execution', this.limits), retryAfterSeconds: retry };
    }
    if (refusal) {
      s.rejectedSinceAdmit++;
      return refusal;
    }
    s.rejectedSinceAdmit = 0;
    s.inFlight++;
    const slot = this.slot(s, nowSec);
    s.counts[slot] = (s.counts[slot] ?? 0) + 1;
    return { ok: true, remainingRequests: this.limits.requests - count - 1, remainingExecutionMs: Math.max(0, this.limits.executionMs - exec) };
  }

  private slot(s: UserState, sec: number): number {
    const i = sec % this.limits.windowSeconds;
    if (s.secs[i] !== sec) {
      s.secs[i] = sec;
      s.counts[i] = 0;
      s.exec[i] = 0;
    }
    return i;
  }

  /** Ends an admitted request: it leaves the in-flight count and its duration joins the window. */
  finish(user: string, nowMs: number, durationMs: number): void {
    const s = this.state(user);
    s.inFlight = Math.max(0, s.inFlight - 1);
    const slot = this.slot(s, Math.floor(nowMs / 1000));
    s.exec[slot] = (s.exec[slot] ?? 0) + durationMs;
  }

  /** Requests currently in flight for `user`. */
  inFlight(user: string): number {
    return this.users.get(user)?.inFlight ?? 0;
  }
}

/** Formats remaining execution time as Dataverse does: seconds with thousands separators and 2 dp ("1,200.00"). */
export function formatRemainingSeconds(ms: number): string {
  return new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(ms / 1000);
}
