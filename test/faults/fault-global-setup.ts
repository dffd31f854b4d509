/**
 * Global setup of the `faults` project: starts the suite's OWN stack (run directory `run-faults` under the cache
 * directory, ports 19092/19093/18080/19000/27027) from a clean state, so killing and restarting servers never
 * touches the shared stack other tests use, and stops it at the end. Nothing of the integration project's global
 * setup is used.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { faultConnectionEnv, faultStackEnv, infra } from './support/fault-stack.ts';
import { shellQuoted } from '../../infra/local/shell-env.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    faultStackEnv: Record<string, string>;
    faultLogDir: string;
    faultSeed: number;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stackEnv = faultStackEnv(process.env);
  const runDir = stackEnv.DYNSYNC_RUN_DIR!;
  // a clean slate every time: stop what a previous (aborted) suite left running, then drop its data
  await infra(['down'], stackEnv);
  // the previous run's service logs survive one more run (a failure is often looked at after re-running the case)
  const previousLogs = `${runDir}-previous-logs`;
  rmSync(previousLogs, { recursive: true, force: true });
  if (existsSync(join(runDir, 'service-logs'))) renameSync(join(runDir, 'service-logs'), previousLogs);
  rmSync(runDir, { recursive: true, force: true });
  // `up` is idempotent: one more try when a server did not come up (a slow JVM start on a busy machine)
  const printed = await infra(['up'], stackEnv).catch((err: unknown) => {
    process.stderr.write(`faults: infra up failed, retrying once: ${String(err).slice(0, 300)}\n`);
    return infra(['up'], stackEnv);
  });
  const expected = faultConnectionEnv();
  for (const [k, v] of Object.entries(expected)) {
    const line = `export ${k}=${shellQuoted(v)}`;
    if (!printed.split('\n').includes(line)) throw new Error(`fault stack: infra up printed ${printed.trim()}, expected ${line}`);
  }
  const logDir = join(runDir, 'service-logs');
  mkdirSync(logDir, { recursive: true });
  const seed = Number(process.env.FAULT_SEED ?? 20261127);
  if (!Number.isInteger(seed)) throw new Error(`FAULT_SEED=${process.env.FAULT_SEED} is not an integer`);
  project.provide('faultStackEnv', stackEnv);
  project.provide('faultLogDir', logDir);
  project.provide('faultSeed', seed);
  process.stderr.write(`faults: own stack up (${runDir}), seed ${seed} (FAULT_SEED=<n> to change), service logs in ${logDir}\n`);
  return async () => {
    await infra(['down'], stackEnv);
  };
}
