/**
 * PostgreSQL with Microsoft's DocumentDB extension, FerretDB's backend. The Debian packages live in an isolated
 * root that provision-store.sh bootstraps into the cache; the server runs in it through in-root.sh (a private
 * mount namespace, chroot, user postgres), with the data directory in this stack's run directory, bind-mounted
 * inside at /srv/dynsync/<hash of the run directory>. PostgreSQL gives each child its own session, so the
 * processes of one server are found by their working directory (the data directory), not by process group.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chownSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { pgQuery } from '../pg-wire.ts';
import { logFile, pidsWithCwd } from '../process.ts';
import { cacheDir, ports, runDir } from '../settings.ts';
import { versions } from '../versions.ts';
import { PG_HBA, postgresConf } from './postgres-conf.ts';
import type { LocalServer } from './server.ts';

const dir = runDir('postgres');
const root = join(cacheDir, `postgres${versions.POSTGRES_MAJOR}-documentdb-${versions.DOCUMENTDB_VERSION}`, 'root');
const bin = `/usr/lib/postgresql/${versions.POSTGRES_MAJOR}/bin`;
/** Where the run directory appears inside the root: unique per run directory, traversable by user postgres. */
const inside = `/srv/dynsync/${createHash('sha256').update(dir).digest('hex').slice(0, 12)}`;
const script = fileURLToPath(new URL('../in-root.sh', import.meta.url));
const inRoot = (program: string[]) => ['--mount', '--propagation', 'private', '--', 'sh', script, root, dir, inside, ...program];
/** The processes of this server (postmaster and children): their working directory is the data directory. */
const serverPids = () => pidsWithCwd(`${root}${inside}/data`);

function postgresUser(): { uid: number; gid: number } {
  const line = readFileSync(join(root, 'etc', 'passwd'), 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) throw new Error(`no user postgres in ${root}/etc/passwd: delete ${join(root, '..')} and run infra:up again`);
  return { uid: Number(uid), gid: Number(gid) };
}

/** Waits for the processes of a server that was killed (kill -9 of the postmaster leaves its children to exit). */
async function clearLeftovers(): Promise<void> {
  for (let i = 0; i < 75 && serverPids().length > 0; i++) await delay(200);
  for (const pid of serverPids()) process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 25 && serverPids().length > 0; i++) await delay(200);
  if (serverPids().length > 0) throw new Error(`processes of an earlier PostgreSQL on ${dir}/data do not exit: ${serverPids().join(', ')}`);
  rmSync(join(dir, 'data', 'postmaster.pid'), { force: true }); // its pid may belong to another program by now
}

function initdb(owner: { uid: number; gid: number }): void {
  const tmp = join(dir, 'data.init');
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { mode: 0o700 });
  chownSync(tmp, owner.uid, owner.gid);
  const log = openSync(logFile(dir), 'a');
  try {
    execFileSync('unshare', inRoot([`${bin}/initdb`, '-D', `${inside}/data.init`, '-U', 'postgres', '--auth=trust',
      '--encoding=UTF8', '--locale=C.UTF-8', '--no-sync', '--no-instructions']), { stdio: ['ignore', log, log], env: { ...process.env, LC_ALL: 'C.UTF-8' } });
  } catch {
    throw new Error(`initdb of ${tmp} failed: see ${logFile(dir)}`);
  } finally {
    closeSync(log);
  }
  renameSync(tmp, join(dir, 'data')); // only a complete cluster becomes the data directory
}

/** The PostgreSQL + DocumentDB server definition. */
export const postgres: LocalServer = {
  name: 'postgres',
  label: `PostgreSQL ${versions.POSTGRES_MAJOR} + DocumentDB ${versions.DOCUMENTDB_VERSION}`,
  port: ports.postgres,
  dir,
  startTimeoutMs: 120_000, // recovery after a kill replays the WAL since the last checkpoint
  async prepare() {
    if (process.getuid?.() !== 0) {
      throw new Error(`PostgreSQL + DocumentDB runs in an isolated root through unshare, mount and chroot, which need root: run infra:up as root, or use infra/docker-compose.yml (real MongoDB)`);
    }
    await clearLeftovers();
    mkdirSync(dir, { recursive: true });
    const owner = postgresUser();
    if (!existsSync(join(dir, 'data', 'PG_VERSION'))) initdb(owner);
    mkdirSync(join(dir, 'data', 'pg_documentdb_cursor_files'), { mode: 0o700, recursive: true }); // DocumentDB warns without it
    chownSync(join(dir, 'data', 'pg_documentdb_cursor_files'), owner.uid, owner.gid);
    for (const [file, text] of [['postgresql.conf', postgresConf(ports.postgres)], ['pg_hba.conf', PG_HBA]] as const) {
      writeFileSync(join(dir, 'data', file), text);
      chownSync(join(dir, 'data', file), owner.uid, owner.gid);
    }
  },
  launch() {
    return {
      command: 'unshare',
      args: inRoot([`${bin}/postgres`, '-D', `${inside}/data`]),
      cwd: dir,
      env: { LC_ALL: 'C.UTF-8' },
      marker: `${inside}/data`,
      stopSignal: 'SIGINT', // fast shutdown: ends the sessions (FerretDB's pool), then a shutdown checkpoint
    };
  },
  async healthy() {
    try {
      const rows = await pgQuery(ports.postgres, "SELECT extversion FROM pg_extension WHERE extname = 'documentdb'", 2_000);
      return rows.length === 1;
    } catch {
      return false;
    }
  },
  async initialize() {
    await pgQuery(ports.postgres, 'CREATE EXTENSION IF NOT EXISTS documentdb CASCADE', 60_000);
  },
  processes: serverPids,
};
