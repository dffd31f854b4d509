/**
 * Metrics hooks of the Dataverse client: plain callbacks (all optional), plus an adapter that records them in a
 * prom-client registry. The client calls them; it never depends on prom-client itself.
 */
import { Counter, Histogram, type Registry } from 'prom-client';

/** Callbacks the client invokes; each is optional and must not throw. */
export interface ClientMetrics {
  /** Every HTTP exchange (including failed and retried ones); `status` is undefined for transport failures. */
  request?(e: { status: number | undefined; durationMs: number }): void;
  /** A 429, with the pause it caused. */
  throttled?(e: { retryAfterMs: number }): void;
  /** A retry about to wait `delayMs` after a retriable error. */
  retry?(e: { code: string; attempt: number; delayMs: number }): void;
  /** A page delivered (after retries), with the time since its first attempt. */
  page?(e: { rows: number; durationMs: number }): void;
}

/**
 * Records {@link ClientMetrics} in `registry`: `<prefix>requests_total{status}`, `<prefix>throttled_total`,
 * `<prefix>retries_total{code}`, `<prefix>page_seconds` and `<prefix>rows_total`. Call once per registry.
 */
export function promClientMetrics(registry: Registry, prefix = 'dynsync_dataverse_'): ClientMetrics {
  const registers = [registry];
  const requests = new Counter({ name: `${prefix}requests_total`, help: 'Dataverse HTTP requests by status', labelNames: ['status'], registers });
  const throttled = new Counter({ name: `${prefix}throttled_total`, help: 'Dataverse 429 responses', registers });
  const retries = new Counter({ name: `${prefix}retries_total`, help: 'Dataverse request retries by error code', labelNames: ['code'], registers });
  const rows = new Counter({ name: `${prefix}rows_total`, help: 'Rows read from Dataverse', registers });
  const pageSeconds = new Histogram({
    name: `${prefix}page_seconds`,
    help: 'Latency of one Dataverse page, retries included',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120],
    registers,
  });
  return {
    request: (e) => requests.inc({ status: e.status === undefined ? 'error' : String(e.status) }),
    throttled: () => throttled.inc(),
    retry: (e) => retries.inc({ code: e.code }),
    page: (e) => {
      rows.inc(e.rows);
      pageSeconds.observe(e.durationMs / 1000);
    },
  };
}
