/**
 * FerretDB 1.24 (MongoDB wire protocol) with the SQLite handler, through the wrapper in ferretdb-runner/ built
 * by provision.sh. Data lives in the run directory.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { cacheDir, connectionEnv, ports, runDir } from '../settings.ts';
import { versions } from '../versions.ts';
import type { LocalServer } from './server.ts';

const dir = runDir('ferretdb');

/** The FerretDB server definition. */
export const ferretdb: LocalServer = {
  name: 'ferretdb',
  label: `FerretDB ${versions.FERRETDB_VERSION} (SQLite)`,
  port: ports.store,
  dir,
  startTimeoutMs: 30_000,
  async prepare() {
    mkdirSync(join(dir, 'data'), { recursive: true });
  },
  launch() {
    const bin = join(cacheDir, `ferretdb-${versions.FERRETDB_VERSION}`, 'ferretdb-runner');
    return {
      command: bin,
      args: ['-listen-addr', `127.0.0.1:${ports.store}`, '-sqlite-dir', join(dir, 'data')],
      cwd: dir,
      marker: 'ferretdb-runner',
    };
  },
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
