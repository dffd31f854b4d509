/**
 * Child process of lifecycle.test.ts: applies `--heap-growing-percent` (argv[2]) through applyHeapGrowingPercent,
 * then churns the old generation the way a service does (batches that live long enough to be promoted, then die)
 * and prints how many full (mark-compact) collections it took.
 */
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { applyHeapGrowingPercent } from './lifecycle.ts';

applyHeapGrowingPercent(Number(process.argv[2]));
let majors = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if ((e as unknown as { detail: { kind: number } }).detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors += 1;
}).observe({ entryTypes: ['gc'] });
const ring: unknown[][] = new Array<unknown[]>(64).fill([]);
for (let i = 0; i < 3000; i += 1) ring[i % ring.length] = Array.from({ length: 5000 }, (_, j) => ({ i, j, s: `r${i}-${j}` }));
await new Promise((resolve) => setTimeout(resolve, 50)); // the observer is called asynchronously
process.stdout.write(`${majors}\n`);
