/** The end-of-case check shared by the fault files: the run is loaded, MongoDB equals the source, no watermark is ahead, no service died on its own. */
import { expect } from 'vitest';
import { matches } from '../../../harness/ground-truth.ts';
import type { FaultPipeline, RunDoc } from './fault-pipeline.ts';

/** Asserts the whole consistency contract of one run of `connection` (the pipeline's timeline is the message). */
export async function expectConsistent(p: FaultPipeline, connection: string, run: RunDoc): Promise<void> {
  expect(run.status, p.lines.join('\n')).toBe('loaded');
  expect((await p.verify(connection)).filter((v) => !matches(v)), p.lines.join('\n')).toEqual([]);
  expect((await p.watermarks(connection)).flatMap((c) => c.violations)).toEqual([]);
  expect(p.crashes(), p.lines.join('\n')).toEqual([]);
}
