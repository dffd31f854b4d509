/** Runs the `dynsync` CLI as a child process (the demo drives the product the way an operator would). */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));

/** Runs `dynsync <args>` with `env` (and `stdin`); resolves to stdout, rejects with stderr on a non-zero exit. */
export function dynsync(args: readonly string[], env: Record<string, string>, stdin?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/dynsync.js', ...args], { cwd: root, env: { ...process.env, ...env }, stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    if (stdin !== undefined) child.stdin!.end(stdin);
    let out = '';
    let err = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`dynsync ${args[0]} exited ${code}: ${err.trim() || out.trim()}`))));
  });
}
