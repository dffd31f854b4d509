/** The extractor's Prometheus metrics (the Dataverse client adds `dynsync_dataverse_*`: requests, 429s, pages). */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Creates and registers the extractor metrics in `registry`. */
export function createExtractorMetrics(registry: Registry) {
  const registers = [registry];
  return {
    records: new Counter({ name: 'dynsync_extractor_records_total', help: 'Records produced to table topics and acknowledged, by table', labelNames: ['table'], registers }),
    deadLettered: new Counter({ name: 'dynsync_extractor_dead_letters_total', help: 'Rows sent to sync.dlq because they could not be mapped, by table', labelNames: ['table'], registers }),
    pages: new Counter({ name: 'dynsync_extractor_pages_total', help: 'Dataverse pages read by windows, by table', labelNames: ['table'], registers }),
    tasks: new Counter({ name: 'dynsync_extractor_tasks_total', help: 'Tasks finished, by outcome (completed, split, failed, skipped, abandoned)', labelNames: ['outcome'], registers }),
    windowSeconds: new Histogram({
      name: 'dynsync_extractor_window_seconds',
      help: 'Duration of one window task (probe, pages, produce), by outcome',
      labelNames: ['outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    }),
    produceSeconds: new Histogram({
      name: 'dynsync_extractor_produce_seconds',
      help: 'Latency of one produce request to a table topic (acks from all in-sync replicas)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    inFlight: new Gauge({ name: 'dynsync_extractor_windows_in_flight', help: 'Windows being extracted now', registers }),
  };
}

/** The extractor metrics. */
export type ExtractorMetrics = ReturnType<typeof createExtractorMetrics>;
