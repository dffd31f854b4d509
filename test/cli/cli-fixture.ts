/**
 * The setup shared by the CLI test files that connect to the simulator (connect.test.ts, sync-runs.test.ts and
 * test/bad-input/credentials.test.ts): the
 * in-process simulator, the CLI's environment (cli-harness.ts, a fresh key and state database) and a client of the
 * test store. {@link useCliFixture} starts them before the file's tests and closes them after; the exported bindings
 * are set by its beforeAll (one fixture per test file).
 */
import type { MongoClient } from 'mongodb';
import { afterAll, beforeAll } from 'vitest';
import { startFixture, type SimFixture } from '../../harness/sim-fixture.ts';
import { testMongo } from '../support/servers.ts';
import { cliEnv } from './cli-harness.ts';

export let fx: SimFixture;
export let env: Record<string, string>;
let mongo: MongoClient;

/** Starts the simulator (`rows` rows a table) and the store client before the tests of the calling file. */
export function useCliFixture(rows = 50): void {
  beforeAll(async () => {
    fx = await startFixture({ rows });
    env = cliEnv(fx.sim);
    mongo = await testMongo();
  });
  afterAll(async () => {
    await mongo?.close();
    await fx?.sim.close();
  });
}

/** The arguments of `dynsync connect` for connection `name` of the simulator, the client secret read from stdin. */
export const connectArgs = (name: string, extra: string[] = []) => [
  'connect',
  '--name',
  name,
  '--org',
  fx.sim.orgUrl,
  '--tenant',
  fx.sim.tenantId,
  '--client-id',
  fx.sim.clientId,
  '--client-secret-stdin',
  ...extra,
];

/** The CLI's state database. */
export const state = () => mongo.db(env.DYNSYNC_STATE_DB);
