/**
 * A pipeline service as a child process (harness/service-process.ts) under a minimal supervisor: every line it
 * writes (stdout and stderr, all incarnations) is appended to a log file for the secret scan, `kill9()` kills it
 * the hard way, `start()` starts a new incarnation, and an exit nobody asked for is recorded (and, when
 * `restartOnCrash` is on, followed by a restart after a pause, as a container restart policy would do).
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { startService, type ServiceProcess } from '../../../harness/service-process.ts';

/** An exit of a service that was not asked for. */
export interface UnexpectedExit {
  service: string;
  code: number | string;
  atMs: number;
  /** The last error log line before the exit, if any. */
  lastError: string | undefined;
}

/** One supervised service. */
export class SupervisedService {
  readonly name: string;
  readonly logFile: string;
  readonly crashes: UnexpectedExit[] = [];
  restartOnCrash = false;
  private proc: ServiceProcess | undefined;
  private readonly env: Record<string, string>;
  private incarnation = 0;
  private stopped = true;

  constructor(name: string, env: Record<string, string>, logDir: string) {
    this.name = name;
    this.env = env;
    this.logFile = join(logDir, `${name}.log`);
  }

  /** Starts a new incarnation; resolves when its ops port is up. */
  async start(): Promise<void> {
    this.stopped = false;
    const n = ++this.incarnation;
    const proc = startService(this.name, this.env);
    this.proc = proc;
    const file = this.logFile;
    appendFileSync(file, `--- ${this.name} incarnation ${n} pid ${proc.child.pid} at ${new Date().toISOString()}\n`);
    proc.child.stdout!.on('data', (c: string) => appendFileSync(file, c));
    proc.child.stderr!.on('data', (c: string) => appendFileSync(file, `[stderr] ${c}`));
    proc.child.once('exit', (code, signal) => {
      appendFileSync(file, `--- ${this.name} incarnation ${n} exited ${code ?? signal}\n`);
      if (this.proc !== proc || this.stopped) return;
      const lastError = [...proc.logs].reverse().find((l) => l.level === 'error' || l.level === 'fatal' || (l.level as number) >= 50);
      this.crashes.push({ service: this.name, code: code ?? signal ?? 'unknown', atMs: Date.now(), lastError: lastError ? JSON.stringify(lastError).slice(0, 500) : undefined });
      this.proc = undefined;
      if (this.restartOnCrash) setTimeout(() => void (this.stopped ? undefined : this.start().catch(() => undefined)), 2000);
    });
    await proc.opsPort();
  }

  /** kill -9 of the current incarnation (no restart by the supervisor); resolves when it is gone. */
  async kill9(): Promise<void> {
    const proc = this.proc;
    this.proc = undefined;
    if (proc) await proc.kill('SIGKILL');
  }

  /** True while an incarnation runs. */
  get running(): boolean {
    return this.proc !== undefined;
  }

  /** The JSON log lines of the current incarnation (last 2000). */
  get logs(): Record<string, unknown>[] {
    return this.proc?.logs ?? [];
  }

  /** Stops it for good (SIGTERM, then SIGKILL after 15 s). */
  async stop(): Promise<void> {
    this.stopped = true;
    const proc = this.proc;
    this.proc = undefined;
    if (!proc) return;
    const timer = setTimeout(() => void proc.kill('SIGKILL'), 15_000);
    await proc.kill('SIGTERM');
    clearTimeout(timer);
  }
}
