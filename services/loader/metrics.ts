/** The loader's Prometheus metrics. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Creates and registers the loader metrics in `registry`. */
export function createLoaderMetrics(registry: Registry) {
  return {
    records: new Counter({ name: 'dynsync_loader_records_total', help: 'Records processed, by table and outcome (written, deleted, unchanged, older, dead)', labelNames: ['table', 'outcome'], registers: [registry] }),
    batches: new Counter({ name: 'dynsync_loader_batches_total', help: 'Chunks written and committed', labelNames: ['table'], registers: [registry] }),
    writeSeconds: new Histogram({ name: 'dynsync_loader_write_seconds', help: 'MongoDB write latency of one chunk', labelNames: ['table'], buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry] }),
    lag: new Gauge({ name: 'dynsync_loader_consumer_lag', help: 'Messages not yet loaded, by topic', labelNames: ['topic'], registers: [registry] }),
    retries: new Counter({ name: 'dynsync_loader_retries_total', help: 'Retried chunk loads, by error code', labelNames: ['code'], registers: [registry] }),
  };
}

/** The loader metrics. */
export type LoaderMetrics = ReturnType<typeof createLoaderMetrics>;
