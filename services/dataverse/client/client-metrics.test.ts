import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { promClientMetrics } from './client-metrics.ts';

describe('promClientMetrics', () => {
  it('records requests by status, 429s, retries by code and page latency/rows', async () => {
    const registry = new Registry();
    const m = promClientMetrics(registry);
    m.request?.({ status: 200, durationMs: 10 });
    m.request?.({ status: undefined, durationMs: 10 });
    m.throttled?.({ retryAfterMs: 1000 });
    m.retry?.({ code: 'DATAVERSE_THROTTLED', attempt: 1, delayMs: 1000 });
    m.page?.({ rows: 250, durationMs: 1500 });
    const text = await registry.metrics();
    expect(text).toContain('dynsync_dataverse_requests_total{status="200"} 1');
    expect(text).toContain('dynsync_dataverse_requests_total{status="error"} 1');
    expect(text).toContain('dynsync_dataverse_throttled_total 1');
    expect(text).toContain('dynsync_dataverse_retries_total{code="DATAVERSE_THROTTLED"} 1');
    expect(text).toContain('dynsync_dataverse_rows_total 250');
    expect(text).toContain('dynsync_dataverse_page_seconds_bucket{le="2.5"} 1');
    expect(text).toContain('dynsync_dataverse_page_seconds_bucket{le="1"} 0');
  });
});
