/**
 * Background processes owned by `infra:up`: started detached with their output in a log file, tracked by pid
 * files, stopped only through those pid files (never by name). A pid file whose process is gone, or whose pid
 * now belongs to another program, counts as stopped.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

/** How to start one server. */
export interface LaunchSpec {
  command: string;
  args: string[];
  cwd: string;
  env?: Record<string, string>;
  /** A string that must appear in /proc/<pid>/cmdline for the pid file to be trusted. */
  marker: string;
  /** The signal `stop` sends to the process group first (default SIGTERM). */
  stopSignal?: NodeJS.Signals;
}

const pidFile = (dir: string) => join(dir, 'server.pid');
/** The log file of a server's stdout and stderr. */
export const logFile = (dir: string) => join(dir, 'server.log');

/** The pid recorded in `dir` if that process is alive and is still ours, else undefined. */
export function runningPid(dir: string, marker: string): number | undefined {
  if (!existsSync(pidFile(dir))) return undefined;
  const pid = Number(readFileSync(pidFile(dir), 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (!cmdline.includes(marker)) return undefined;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (/\) Z /.test(stat)) return undefined; // zombie: killed, not yet reaped
    return pid;
  } catch {
    return undefined;
  }
}

/** Starts `spec` detached (it outlives this process), logging to `dir/server.log`; records its pid. */
export function launch(dir: string, spec: LaunchSpec): number {
  mkdirSync(dir, { recursive: true });
  const out = openSync(logFile(dir), 'a');
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: { ...process.env, ...spec.env },
    detached: true,
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  if (child.pid === undefined) throw new Error(`could not start ${spec.command}`);
  child.unref();
  writeFileSync(pidFile(dir), String(child.pid));
  return child.pid;
}

/**
 * Stops the process recorded in `dir` (`signal`, default SIGTERM, then SIGKILL after `graceMs`); true if one was
 * running.
 */
export async function stop(dir: string, marker: string, graceMs = 20_000, signal: NodeJS.Signals = 'SIGTERM'): Promise<boolean> {
  const pid = runningPid(dir, marker);
  rmSync(pidFile(dir), { force: true });
  if (pid === undefined) return false;
  try {
    process.kill(-pid, signal); // the process group: java/go children go too
  } catch {
    process.kill(pid, signal);
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    await delay(200);
  }
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
  return true;
}

/** The pids whose working directory is `cwd` (as this process sees it); e.g. every process of a PostgreSQL server. */
export function pidsWithCwd(cwd: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/cwd`) === cwd) pids.push(Number(entry));
    } catch {
      /* gone, or not ours to read */
    }
  }
  return pids;
}

/** Proportional set size of `pids` together in MiB (shared pages counted once), from /proc. */
export function pssMb(pids: readonly number[]): number {
  let kb = 0;
  for (const pid of pids) {
    try {
      kb += Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
    } catch {
      /* exited meanwhile */
    }
  }
  return Math.round(kb / 1024);
}

/** Resident memory of `pid` in MiB, from /proc (undefined if unavailable). */
export function rssMb(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

/** The last `lines` lines of a server's log, for error messages. */
export function logTail(dir: string, lines = 30): string {
  try {
    return readFileSync(logFile(dir), 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
