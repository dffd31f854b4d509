/**
 * The Dataverse simulator as a child process (`services/simulator/main.ts`, what `npm run sim` runs), with its
 * coordinates read from the env-file lines it prints. A process of its own can be left running for the user
 * (`npm run demo -- --keep`), which an in-process simulator cannot.
 */
import { eventually, startService, type ServiceProcessOptions } from './service-process.ts';

/** A running simulator process. */
export interface DemoSimulator {
  readonly orgUrl: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** PEM of the simulator's certificate (DYNSYNC_DEV_CA_PATH). */
  readonly caCertPath: string;
  readonly controlUrl: string;
  readonly pid: number;
  /** SIGTERM, resolves when it exited. */
  close(): Promise<void>;
}

/** Settings of {@link startSimulatorProcess}. */
export interface SimulatorProcessOptions extends ServiceProcessOptions {
  /** Base rows of each main table. */
  rows: number;
  versionOffset?: bigint;
}

const COORDINATES = ['DATAVERSE_URL', 'DATAVERSE_TENANT_ID', 'DATAVERSE_CLIENT_ID', 'DATAVERSE_CLIENT_SECRET', 'DATAVERSE_CA_CERT', 'DATAVERSE_CONTROL_URL'] as const;

/** Starts the simulator (control API on, any free port) and resolves once it printed its coordinates. */
export async function startSimulatorProcess(opts: SimulatorProcessOptions): Promise<DemoSimulator> {
  const env: Record<string, string> = {
    SIM_PORT: '0',
    SIM_CONTROL: 'true',
    SIM_ROWS: String(opts.rows),
    SIM_LOG_LEVEL: 'warn',
    // the simulator holds the organisation in memory: the services' heap limit is too small for it (npm run sim)
    NODE_OPTIONS: '--max-semi-space-size=8',
    ...(opts.versionOffset ? { SIM_VERSION_OFFSET: opts.versionOffset.toString() } : {}),
  };
  const proc = startService('simulator', env, opts);
  const printed = () => {
    const found = new Map<string, string>();
    for (const l of proc.logs) {
      const m = typeof l.raw === 'string' ? /^([A-Z_]+)=(.*)$/.exec(l.raw) : null;
      if (m) found.set(m[1]!, m[2]!);
    }
    return found;
  };
  let vars: Map<string, string>;
  try {
    vars = await Promise.race([
      eventually(async () => (COORDINATES.every((k) => printed().has(k)) ? printed() : undefined), 120_000, 100),
      proc.exited().then((code) => {
        throw new Error(`the simulator exited (${code}) before it was ready: ${proc.stderr().trim()}`);
      }),
    ]);
  } catch (err) {
    await proc.kill('SIGTERM');
    throw err;
  }
  const get = (k: (typeof COORDINATES)[number]) => vars.get(k)!;
  return {
    orgUrl: get('DATAVERSE_URL'),
    tenantId: get('DATAVERSE_TENANT_ID'),
    clientId: get('DATAVERSE_CLIENT_ID'),
    clientSecret: get('DATAVERSE_CLIENT_SECRET'),
    caCertPath: get('DATAVERSE_CA_CERT'),
    controlUrl: get('DATAVERSE_CONTROL_URL'),
    pid: proc.child.pid!,
    close: async () => {
      await proc.kill('SIGTERM');
    },
  };
}
