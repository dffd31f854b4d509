/**
 * A service (`services/<name>/main.ts`) as a real child process, for tests that kill -9 and restart it. Its
 * JSON log lines are kept for assertions; the ops port (health, metrics) is read from its start-up line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { fileURLToPath } from 'node:url';

/** A running service process. */
export interface ServiceProcess {
  /** `services/<name>/main.ts`. */
  readonly name: string;
  readonly child: ChildProcess;
  /** The last 2000 JSON log lines. */
  readonly logs: Record<string, unknown>[];
  /** Resolves to the ops port once the service logged it. */
  opsPort(): Promise<number>;
  /** The last 4000 characters the process wrote on stderr. */
  stderr(): string;
  /** Resolves to the exit code (or signal name) when the process ends. */
  exited(): Promise<number | string>;
  /** Sends a signal and waits for the exit; resolves to the exit code (or signal name). */
  kill(signal?: NodeJS.Signals): Promise<number | string>;
}

const root = fileURLToPath(new URL('../', import.meta.url));

/**
 * The V8 heap limits every service runs with (also in infra/Dockerfile and the README). Without them V8 lets the
 * heap grow lazily: the loader peaked at 570 MB RSS loading 100k rows, and at 263 MB with a 160 MB old space (9 %
 * slower). `DYNSYNC_SERVICE_NODE_OPTIONS` replaces them.
 */
export const SERVICE_NODE_OPTIONS = '--max-old-space-size=192 --max-semi-space-size=8';

/** How to run a service process. */
export interface ServiceProcessOptions {
  /**
   * Its stdout and stderr go to this file (appended) instead of pipes, and are read back from it: the process can
   * outlive this one (a pipe whose reader exited fails the next write).
   */
  logFile?: string;
  /** Its own process group, not waited for by this process (with `logFile`): it keeps running when this one exits. */
  detached?: boolean;
}

/** Starts `services/<name>/main.ts` with the test servers' settings plus `env`. */
export function startService(name: string, env: Record<string, string>, opts: ServiceProcessOptions = {}): ServiceProcess {
  const fd = opts.logFile === undefined ? undefined : openSync(opts.logFile, 'a');
  const child = spawn(process.execPath, [`services/${name}/main.ts`], {
    cwd: root,
    env: {
      ...process.env,
      LOG_LEVEL: process.env.DYNSYNC_SERVICE_LOG_LEVEL ?? 'info',
      NODE_OPTIONS: process.env.DYNSYNC_SERVICE_NODE_OPTIONS ?? SERVICE_NODE_OPTIONS,
      ...env,
    },
    stdio: fd === undefined ? ['ignore', 'pipe', 'pipe'] : ['ignore', fd, fd],
    detached: opts.detached === true && fd !== undefined,
  });
  const logs: Record<string, unknown>[] = [];
  let buffered = '';
  const waiters: ((port: number) => void)[] = [];
  let port: number | undefined;
  let stderr = '';
  const onOutput = (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (logs.length > 2000) logs.splice(0, logs.length - 2000);
        if (typeof entry.opsPort === 'number') {
          port = entry.opsPort;
          for (const w of waiters.splice(0)) w(port);
        }
      } catch {
        logs.push({ raw: line });
        if (fd !== undefined) stderr = `${stderr}${line}\n`.slice(-4000); // stderr shares the file
      }
    }
  };
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, sig) => resolve(code ?? sig ?? 'unknown')));
  if (fd === undefined) {
    child.stdout!.setEncoding('utf8').on('data', onOutput);
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr = (stderr + c).slice(-4000)));
  } else {
    // follow the file from where this process starts writing
    let offset = fstatSync(fd).size;
    closeSync(fd);
    const reader = openSync(opts.logFile!, 'r');
    const buffer = Buffer.alloc(64 * 1024);
    const decoder = new StringDecoder('utf8'); // a character may be split between two reads
    const poll = () => {
      for (let n = readSync(reader, buffer, 0, buffer.length, offset); n > 0; n = readSync(reader, buffer, 0, buffer.length, offset)) {
        offset += n;
        onOutput(decoder.write(buffer.subarray(0, n)));
      }
    };
    const timer = setInterval(poll, 200);
    timer.unref();
    void exited.then(() => {
      clearInterval(timer);
      poll();
      closeSync(reader);
    });
    if (opts.detached) child.unref();
  }
  return {
    name,
    child,
    logs,
    stderr: () => stderr,
    exited: () => exited,
    opsPort: () =>
      port !== undefined
        ? Promise.resolve(port)
        : new Promise((resolve, reject) => {
            waiters.push(resolve);
            void exited.then((code) => reject(new Error(`${name} exited (${code}) before it was ready: ${stderr}`)));
          }),
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Polls `probe` every `everyMs` until it returns a truthy value or `timeoutMs` passes. */
export async function eventually<T>(probe: () => Promise<T | undefined | false>, timeoutMs = 60_000, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
}
