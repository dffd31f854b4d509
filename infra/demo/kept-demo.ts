/**
 * What `npm run demo -- --keep` leaves running and hands over: the simulator and the three services as processes
 * of their own (logs in the demo directory, `<cache>/demo` unless DYNSYNC_DEMO_DIR says otherwise), their ids in
 * `demo.json` for `npm run demo -- --stop`, and the settings of the `dynsync` CLI in `dynsync.env` (mode 600: it
 * holds the demo's own throwaway encryption key, the only secret the user needs; it is never printed).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../local/settings.ts';
import { shellQuoted } from '../local/shell-env.ts';

/** A process the kept demo started. */
export interface KeptProcess {
  /** `simulator`, `coordinator`, `extractor`, `loader`: its code is `services/<name>/main.ts`. */
  name: string;
  pid: number;
}

/** The record of a kept demo (`demo.json`). */
export interface KeptDemo {
  connection: string;
  startedAt: string;
  processes: KeptProcess[];
  /** Local servers the demo started (stopped again by `--stop`); servers that were running stay. */
  startedServers: string[];
}

/** Everything the user needs to carry on with a kept demo. */
export interface Handover {
  dir: string;
  connection: string;
  statusUrl: string | undefined;
  orgUrl: string;
  controlUrl: string;
  processes: KeptProcess[];
  /** The settings of the `dynsync` CLI (and of `npm run topic`), secrets included: written to the env file only. */
  env: Record<string, string>;
}

/** The demo directory. */
export function demoDir(env: Record<string, string | undefined> = process.env): string {
  return env.DYNSYNC_DEMO_DIR ?? join(cacheDir, 'demo');
}

const recordFile = (dir: string) => join(dir, 'demo.json');
/** The CLI settings of the kept demo, `KEY='value'` lines (source it with `set -a; . <file>; set +a`). */
export const envFile = (dir: string) => join(dir, 'dynsync.env');

/** Creates the demo directory, readable only by the user. */
export function prepareDemoDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

/** The kept demo recorded in `dir`, if any. */
export function readKeptDemo(dir: string): KeptDemo | null {
  try {
    return JSON.parse(readFileSync(recordFile(dir), 'utf8')) as KeptDemo;
  } catch {
    return null;
  }
}

/** Records the kept demo (rewritten as processes start, so an interrupted demo can still be stopped). */
export function writeKeptDemo(dir: string, demo: KeptDemo): void {
  writeFileSync(recordFile(dir), `${JSON.stringify(demo, null, 2)}\n`, { mode: 0o600 });
}

/** True when `pid` runs `services/<name>/main.ts` (a pid reused by another program is not ours). */
function isOurs(p: KeptProcess): boolean {
  try {
    return readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').split('\0').includes(`services/${p.name}/main.ts`);
  } catch {
    return false;
  }
}

/** The recorded processes that still run. */
export function runningProcesses(demo: KeptDemo): KeptProcess[] {
  return demo.processes.filter(isOurs);
}

/** Settings whose value is a secret: written to the env file, never printed. */
export const isSecretSetting = (name: string) => /(KEY|SECRET|PASSWORD|TOKEN)$/.test(name);

/** Writes the CLI settings (mode 600). */
export function writeEnvFile(dir: string, env: Record<string, string>): void {
  const file = envFile(dir);
  writeFileSync(file, Object.entries(env).map(([k, v]) => `${k}=${shellQuoted(v)}\n`).join(''), { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** What the demo prints when it hands over (pure). */
export function handoverLines(h: Handover): string[] {
  const byName = (name: string) => h.processes.filter((p) => p.name === name).map((p) => p.pid).join(', ');
  const topic = `dynamics.${h.connection}.account`;
  return [
    `demo: left running for you; \`npm run demo -- --stop\` stops it (logs in ${h.dir})`,
    `   status page   ${h.statusUrl ?? '(not started: see coordinator.log)'}`,
    `   simulator     ${h.orgUrl} (Dataverse Web API + Entra ID; control API ${h.controlUrl}), pid ${byName('simulator')}`,
    `   services      coordinator pid ${byName('coordinator')}, extractor pid ${byName('extractor')}, loader pid ${byName('loader')}; connection "${h.connection}"`,
    ` settings for the dynsync CLI, in ${envFile(h.dir)} (readable only by you: it holds the demo's own throwaway encryption key):`,
    `   set -a; . ${shellQuoted(envFile(h.dir))}; set +a`,
    ' which sets',
    ...Object.entries(h.env).map(([k, v]) => `   ${k}=${isSecretSetting(k) ? `(${k === 'DYNSYNC_ENCRYPTION_KEY' ? 'the demo\'s throwaway key' : 'secret'}: in the file, not printed)` : shellQuoted(v)}`),
    ' then try:',
    `   npx dynsync status --connection ${h.connection}                # the runs so far; live progress while one runs`,
    `   npx dynsync sync ${h.connection}                               # an incremental refresh now (then the status line again)`,
    `   npm run -s topic -- ${topic} --max 3   # a Kafka consumer of one table topic (Avro decoded)`,
  ];
}

/**
 * Stops what a kept demo left running: SIGTERM to each recorded process that still runs its service (never by
 * name), waiting up to `timeoutMs` for each, then SIGKILL; the record and the env file go. Returns the demo.
 */
export async function stopKeptDemo(dir: string, say: (line: string) => void, timeoutMs = 30_000): Promise<KeptDemo | null> {
  const demo = readKeptDemo(dir);
  if (!demo) return null;
  const running = runningProcesses(demo);
  for (const p of running) process.kill(p.pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (running.some(isOurs) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  for (const p of running.filter(isOurs)) {
    say(`   ${p.name} (pid ${p.pid}) did not stop in ${timeoutMs / 1000} s: killed`);
    process.kill(p.pid, 'SIGKILL');
  }
  say(`   stopped ${running.map((p) => `${p.name} (pid ${p.pid})`).join(', ') || 'nothing (no process was left)'}`);
  rmSync(recordFile(dir), { force: true });
  if (existsSync(envFile(dir))) rmSync(envFile(dir));
  return demo;
}
