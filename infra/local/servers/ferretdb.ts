/**
 * FerretDB 2 (MongoDB wire protocol) on the local PostgreSQL + DocumentDB, built by provision-store.sh with
 * `go install`. FerretDB keeps no data of its own (its state directory holds an instance id); the documents live
 * in PostgreSQL. No authentication, no telemetry, no debug HTTP listener, loopback only.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { cacheDir, connectionEnv, ports, runDir } from '../settings.ts';
import { versions } from '../versions.ts';
import type { LocalServer } from './server.ts';

const dir = runDir('ferretdb');
const stateDir = join(dir, 'state');

/** The FerretDB server definition. */
export const ferretdb: LocalServer = {
  name: 'ferretdb',
  label: `FerretDB ${versions.FERRETDB_VERSION}`,
  port: ports.store,
  dir,
  dependsOn: 'postgres',
  startTimeoutMs: 30_000,
  async prepare() {
    mkdirSync(stateDir, { recursive: true });
  },
  launch() {
    return {
      command: join(cacheDir, `ferretdb-${versions.FERRETDB_VERSION}`, 'bin', 'ferretdb'),
      args: [
        `--postgresql-url=postgres://postgres@127.0.0.1:${ports.postgres}/postgres`,
        `--listen-addr=127.0.0.1:${ports.store}`,
        '--debug-addr=-', // no metrics/pprof listener: one port less per stack
        '--no-auth',
        '--telemetry=disable',
        '--log-level=error', // warn logs every client disconnect
        `--state-dir=${stateDir}`,
      ],
      cwd: dir,
      marker: `--state-dir=${stateDir}`,
    };
  },
  /** `ping` goes through to PostgreSQL on FerretDB 2 (it asks DocumentDB for its version), so this checks both. */
  async healthy() {
    const client = new MongoClient(connectionEnv.MONGODB_URI, { serverSelectionTimeoutMS: 1000, connectTimeoutMS: 1000 });
    try {
      await client.connect();
      await client.db('admin').command({ ping: 1 });
      return true;
    } catch {
      return false;
    } finally {
      await client.close().catch(() => undefined);
    }
  },
};
