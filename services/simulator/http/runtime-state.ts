import type { RowFault } from '../core/row-fault.ts';

/**
 * Mutable runtime state of a running simulator that is not data: counters for `/_control/stats`, the log of
 * refused non-GET data requests, injected faults and the dop hint.
 */

/** Injected faults; ratios are probabilities per data request. */
export interface Faults {
  /** Share of data requests answered 429 (code 0x80072322) regardless of limits. */
  throttleRatio: number;
  /** Retry-After for injected 429s. */
  throttleRetryAfterSeconds: number;
  /** Share of data requests answered with `errorStatus`. */
  errorRatio: number;
  errorStatus: number;
  /** Added latency before every data request. */
  latencyMs: number;
  /** Share of data responses whose body is cut off mid-way (connection destroyed). */
  truncateRatio: number;
  /** The next N successful data responses are cut off mid-way (deterministic; counts down to 0). */
  truncateNext: number;
  /**
   * How a cut-off body ends: `reset` destroys the connection before the announced Content-Length is reached;
   * `short` announces the length of the half body and completes the response (a 200 with invalid JSON).
   */
  truncateMode: 'reset' | 'short';
  /** Rows served malformed (wrong types, missing id, unknown properties...), see core/row-fault.ts. */
  rowFaults: RowFault[];
}

/** No faults. */
export function noFaults(): Faults {
  return { throttleRatio: 0, throttleRetryAfterSeconds: 2, errorRatio: 0, errorStatus: 503, latencyMs: 0, truncateRatio: 0, truncateNext: 0, truncateMode: 'reset', rowFaults: [] };
}

/** Counters. */
export interface Stats {
  requests: number;
  dataRequests: number;
  entraRequests: number;
  controlRequests: number;
  rowsServed: number;
  throttled: number;
  unauthorized: number;
  injectedFaults: number;
  byStatus: Record<string, number>;
  /** Data requests by what they asked for (core/request-kind.ts): metadata, count, rows, delta, ... */
  byKind: Record<string, number>;
  tokenGrants: Record<string, number>;
}

/** A refused write attempt. */
export interface NonGetRecord {
  readonly method: string;
  readonly path: string;
  readonly atMs: number;
}

/** All runtime state. */
export class RuntimeState {
  faults: Faults = noFaults();
  dopHint: number;
  stats: Stats = RuntimeState.emptyStats();
  readonly nonGet: NonGetRecord[] = [];
  nonGetCount = 0;
  readonly nonGetByMethod: Record<string, number> = {};

  constructor(dopHint: number) {
    this.dopHint = dopHint;
  }

  static emptyStats(): Stats {
    return { requests: 0, dataRequests: 0, entraRequests: 0, controlRequests: 0, rowsServed: 0, throttled: 0, unauthorized: 0, injectedFaults: 0, byStatus: {}, byKind: {}, tokenGrants: {} };
  }

  /** Records a non-GET request to the data API (Invariant 1 of the product: this must stay 0). */
  recordNonGet(method: string, path: string, atMs: number): void {
    this.nonGetCount++;
    this.nonGetByMethod[method] = (this.nonGetByMethod[method] ?? 0) + 1;
    this.nonGet.push({ method, path, atMs });
    if (this.nonGet.length > 100) this.nonGet.shift();
  }

  /** Counts a response status. */
  status(code: number): void {
    this.stats.byStatus[code] = (this.stats.byStatus[code] ?? 0) + 1;
  }
}
