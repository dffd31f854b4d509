/**
 * The one retry module. Retries wrap a single idempotent call (a page GET, a produce, an upsert batch), never a
 * whole run. Only errors whose `retriable` flag is set are retried; `rate_limited` errors wait at least their
 * `retryAfterMs`; everything else waits exponential backoff with full jitter.
 */
import { toSyncError, type SyncError } from './errors.ts';

/** Retry policy. */
export interface RetryOptions {
  /** Retries after the first attempt (so `retries: 5` means at most 6 calls). */
  retries: number;
  /** First backoff step. */
  minDelayMs: number;
  /** Ceiling of one backoff step (Retry-After may exceed it). */
  maxDelayMs: number;
  /** Aborts the wait and the loop. */
  signal?: AbortSignal;
  /** Called before each wait; for logs and metrics. */
  onRetry?: (err: SyncError, attempt: number, delayMs: number) => void;
  /** Injected for tests: the source of randomness for jitter (default Math.random). */
  random?: () => number;
  /** Injected for tests: how to wait (default a timer honouring `signal`). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Sensible defaults for network calls. */
export const DEFAULT_RETRY: RetryOptions = { retries: 6, minDelayMs: 200, maxDelayMs: 15_000 };

/**
 * The delay before retry number `attempt` (1-based): full-jitter exponential backoff, but never less than a
 * server-provided Retry-After.
 */
export function backoffDelay(attempt: number, err: SyncError, opts: RetryOptions, random: () => number): number {
  const cap = Math.min(opts.maxDelayMs, opts.minDelayMs * 2 ** (attempt - 1));
  const jittered = Math.round(cap / 2 + (random() * cap) / 2);
  return Math.max(jittered, err.retryAfterMs ?? 0);
}

/** Waits `ms`, rejecting early when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Calls `fn` until it succeeds, a non-retriable error is thrown, or the retries are spent. Throws the last
 * error as a SyncError.
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions = DEFAULT_RETRY): Promise<T> {
  const random = opts.random ?? Math.random;
  const wait = opts.sleep ?? sleep;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (raw) {
      const err = toSyncError(raw);
      if (!err.retriable || attempt >= opts.retries || opts.signal?.aborted) throw err;
      const delay = backoffDelay(attempt + 1, err, opts, random);
      opts.onRetry?.(err, attempt + 1, delay);
      await wait(delay, opts.signal);
    }
  }
}
