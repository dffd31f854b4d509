/**
 * Simulator benchmark: starts the simulator in a child process (so its memory is measured alone), pages
 * through the ~40-column `new_widget` table with a plain fetch loop following `@odata.nextLink` at
 * `odata.maxpagesize=5000`, and reports rows/s and the simulator's resident memory at 10k and N rows.
 *
 *   npx node bench/simulator.ts --rows 1000000 [--node-options "--max-semi-space-size=8"] [--latency-ms 100]
 *
 * The simulator streams each page to the socket in chunks of 100 rows (services/simulator/http), so its RSS does
 * not hold pages; what still grows is V8's young generation (up to 128 MB on a large machine under this allocation
 * rate), which `--max-semi-space-size=8` caps (measured: same or better speed).
 *
 * `benchSimulator()` returns the numbers for the project-wide bench (`simulatorRaw: { rowsPerSec }`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import tls from 'node:tls';
import { parseArgs } from 'node:util';

/** One measured table size. */
export interface SimulatorRun {
  readonly rows: number;
  readonly seconds: number;
  readonly rowsPerSec: number;
  readonly pages: number;
  readonly rssStartMb: number;
  /** Highest RSS sampled after each page. */
  readonly rssPeakMb: number;
}

/** The result merged into `npm run bench`. */
export interface SimulatorBench {
  readonly simulatorRaw: { readonly rowsPerSec: number };
  readonly runs: readonly SimulatorRun[];
}

/** A simulator in a child process and the settings it printed (DATAVERSE_URL, DATAVERSE_CA_CERT, …). */
export interface SimulatorChild {
  readonly proc: ChildProcess;
  readonly env: Record<string, string>;
}

/** Starts the simulator in a child process with `args` (e.g. `--rows 100000`), control API on. */
export async function startSimulatorChild(args: readonly string[], nodeOptions: readonly string[] = []): Promise<SimulatorChild> {
  const proc = spawn(process.execPath, [...nodeOptions, 'services/simulator/main.ts', '--port', '0', '--control', ...args, '--log-level', 'warn', '--state-dir', join(tmpdir(), 'dynsync-sim-bench-state'), '--limit-requests', '1000000'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const env: Record<string, string> = {};
  const lines = createInterface({ input: proc.stdout! });
  for await (const line of lines) {
    const eq = line.indexOf('=');
    if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1);
    if (env.DATAVERSE_CONTROL_URL) break;
  }
  if (!env.DATAVERSE_URL) throw new Error('simulator did not start');
  return { proc, env };
}

function rssMb(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

let trusted = false;

/**
 * Makes the process-wide fetch trust the child's CA (its certificate, shared by every bench simulator: OpenSSL looks
 * CAs up by subject) and returns an access token (client credentials); with `latencyMs` > 0 the simulator then
 * answers every data request that much later (control API `faults`), like a remote Dataverse.
 */
export async function simulatorSession(child: SimulatorChild, latencyMs = 0): Promise<string> {
  const e = child.env;
  if (!trusted) {
    tls.setDefaultCACertificates([...tls.getCACertificates('default'), readFileSync(e.DATAVERSE_CA_CERT ?? '', 'utf8')]);
    trusted = true;
  }
  const tokenRes = await fetch(`${e.DATAVERSE_AUTHORITY}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: e.DATAVERSE_CLIENT_ID ?? '', client_secret: e.DATAVERSE_CLIENT_SECRET ?? '', scope: `${e.DATAVERSE_URL}/.default` }),
  });
  const { access_token: token } = (await tokenRes.json()) as { access_token: string };
  if (latencyMs > 0) {
    const res = await fetch(`${e.DATAVERSE_CONTROL_URL}/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ latencyMs }) });
    if (!res.ok) throw new Error(`simulator faults: HTTP ${res.status} ${await res.text()}`);
  }
  return token;
}

async function measure(rows: number, nodeOptions: readonly string[], latencyMs: number): Promise<SimulatorRun> {
  const child = await startSimulatorChild(['--rows', String(rows)], nodeOptions);
  try {
    const e = child.env;
    const token = await simulatorSession(child, latencyMs);
    const rssStartMb = rssMb(child.proc.pid);
    const headers = { Authorization: `Bearer ${token}`, Accept: 'application/json', 'OData-Version': '4.0', Prefer: 'odata.maxpagesize=5000' };
    let url: string | undefined = `${e.DATAVERSE_URL}/api/data/v9.2/new_widgetset`;
    let count = 0;
    let pages = 0;
    let rssPeakMb = rssStartMb;
    const started = performance.now();
    while (url) {
      const res: Response = await fetch(url, { headers });
      if (res.status !== 200) throw new Error(`page ${pages}: HTTP ${res.status} ${await res.text()}`);
      const page = (await res.json()) as { value: unknown[]; '@odata.nextLink'?: string };
      count += page.value.length;
      pages++;
      rssPeakMb = Math.max(rssPeakMb, rssMb(child.proc.pid));
      url = page['@odata.nextLink'];
    }
    const seconds = (performance.now() - started) / 1000;
    if (count !== rows) throw new Error(`expected ${rows} rows, got ${count}`);
    return { rows, seconds: Number(seconds.toFixed(2)), rowsPerSec: Math.round(count / seconds), pages, rssStartMb, rssPeakMb };
  } finally {
    child.proc.kill('SIGTERM');
  }
}

/**
 * Runs the benchmark at 10,000 rows and at `rows`; `nodeOptions` are V8/Node flags for the simulator process;
 * `latencyMs` delays every page by that much (a remote Dataverse).
 */
export async function benchSimulator(rows = 1_000_000, nodeOptions: readonly string[] = [], latencyMs = 0): Promise<SimulatorBench> {
  const runs: SimulatorRun[] = [];
  for (const n of [...new Set([10_000, rows])]) runs.push(await measure(n, nodeOptions, latencyMs));
  const largest = runs[runs.length - 1];
  return { simulatorRaw: { rowsPerSec: largest?.rowsPerSec ?? 0 }, runs };
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' }, 'node-options': { type: 'string', default: '' }, 'latency-ms': { type: 'string', default: '0' } } });
  const result = await benchSimulator(Number(values.rows), values['node-options'].split(/\s+/).filter(Boolean), Number(values['latency-ms']));
  console.log('simulator raw page rate (new_widget, 46 columns, maxpagesize 5000, plain fetch):');
  console.table(result.runs.map((r) => ({ rows: r.rows, pages: r.pages, seconds: r.seconds, 'rows/s': r.rowsPerSec, 'RSS start MB': r.rssStartMb, 'RSS peak MB': r.rssPeakMb })));
  console.log(JSON.stringify({ simulatorRaw: result.simulatorRaw }));
}
