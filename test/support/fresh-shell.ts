/**
 * Commands run as a user types them, from a fresh shell in the repository: the machine's PATH without the
 * project's node_modules/.bin (so `node` is the machine's own, Node 20 here, and npm/npx find the project's Node 24
 * themselves) and without NODE_OPTIONS.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { delimiter } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (the shell's working directory). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The environment of a fresh shell, plus `extra`. */
export function freshShellEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const path = (process.env.PATH ?? '').split(delimiter).filter((p) => !p.includes('node_modules')).join(delimiter);
  const { NODE_OPTIONS: _ignored, ...env } = process.env;
  return { ...env, PATH: path, ...extra };
}

/** A shell command started in the repository, its output kept. */
export interface ShellRun {
  child: ChildProcess;
  out(): string;
  err(): string;
  /** The exit code (or signal name). */
  exited: Promise<number | string>;
}

/** Starts `script` with `shell` (`sh -c` by default; e.g. `['bash', '-e']`) in the repository with `env`. */
export function startShell(script: string, env: NodeJS.ProcessEnv, shell: readonly string[] = ['sh']): ShellRun {
  const child = spawn(shell[0]!, [...shell.slice(1), '-c', script], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, sig) => resolve(code ?? sig ?? 'unknown')));
  return { child, out: () => out, err: () => err, exited };
}

/** Runs `script` to its end (SIGTERM after `timeoutMs`); resolves to its exit code and output. */
export async function runShell(script: string, env: NodeJS.ProcessEnv, timeoutMs: number, shell?: readonly string[]): Promise<{ code: number | string; out: string; err: string }> {
  const run = startShell(script, env, shell);
  const timer = setTimeout(() => run.child.kill('SIGTERM'), timeoutMs);
  const code = await run.exited;
  clearTimeout(timer);
  return { code, out: run.out(), err: run.err() };
}
