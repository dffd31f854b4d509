/**
 * Configuration of `npm run sim`: command-line flags (`--port 8443`, `--rows=1000000`, `--control`, …) or the
 * matching `SIM_*` environment variables (flags win), validated with zod and frozen.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { envField, loadConfig, type Env } from '../shared/config.ts';
import type { SimulatorOptions } from './simulator.ts';

const FLAGS = {
  port: 'SIM_PORT',
  seed: 'SIM_SEED',
  rows: 'SIM_ROWS',
  'table-rows': 'SIM_TABLE_ROWS',
  'generated-tables': 'SIM_GENERATED_TABLES',
  'generated-max-rows': 'SIM_GENERATED_MAX_ROWS',
  anchor: 'SIM_ANCHOR',
  control: 'SIM_CONTROL',
  'token-lifetime': 'SIM_TOKEN_LIFETIME',
  'state-dir': 'SIM_STATE_DIR',
  'limit-requests': 'SIM_LIMIT_REQUESTS',
  'limit-execution-ms': 'SIM_LIMIT_EXECUTION_MS',
  'limit-concurrency': 'SIM_LIMIT_CONCURRENCY',
  'limit-window-seconds': 'SIM_LIMIT_WINDOW_SECONDS',
  'dop-hint': 'SIM_DOP_HINT',
  'delta-retention-days': 'SIM_DELTA_RETENTION_DAYS',
  'log-level': 'SIM_LOG_LEVEL',
  hostname: 'SIM_HOSTNAMES',
  'version-offset': 'SIM_VERSION_OFFSET',
} as const;

/** A DNS name for the certificate and the org URLs (`contoso.crm.dynamics.com`). */
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;

const schema = z.object({
  SIM_PORT: z.coerce.number().int().min(0).max(65_535).default(8443),
  SIM_SEED: z.coerce.number().int().default(1),
  SIM_ROWS: z.coerce.number().int().min(0).max(100_000_000).default(1_000),
  SIM_TABLE_ROWS: z
    .string()
    .regex(/^(\s*[a-z_][a-z0-9_]*=\d+\s*)(,\s*[a-z_][a-z0-9_]*=\d+\s*)*$/, 'expected table=rows[,table=rows…]')
    .optional(),
  SIM_GENERATED_TABLES: z.coerce.number().int().min(0).max(999).default(0),
  SIM_GENERATED_MAX_ROWS: z.coerce.number().int().min(0).max(1_000_000).default(2_000),
  SIM_ANCHOR: z.iso.datetime().optional(),
  SIM_CONTROL: envField.bool(false),
  SIM_TOKEN_LIFETIME: envField.positiveInt(3599),
  SIM_STATE_DIR: z.string().min(1).optional(),
  SIM_LIMIT_REQUESTS: envField.positiveInt(6_000),
  SIM_LIMIT_EXECUTION_MS: envField.positiveInt(1_200_000),
  SIM_LIMIT_CONCURRENCY: envField.positiveInt(52),
  SIM_LIMIT_WINDOW_SECONDS: envField.positiveInt(300),
  SIM_DOP_HINT: envField.positiveInt(8),
  SIM_DELTA_RETENTION_DAYS: envField.positiveInt(7),
  SIM_LOG_LEVEL: envField.logLevel(),
  SIM_HOSTNAMES: z
    .string()
    .transform((v) => v.split(',').map((h) => h.trim().toLowerCase()).filter(Boolean))
    .pipe(z.array(z.string().regex(HOSTNAME, 'expected DNS names such as contoso.crm.dynamics.com (comma-separated)')))
    .optional(),
  SIM_VERSION_OFFSET: z
    .string()
    .regex(/^\d{1,19}$/, 'expected a non-negative integer (e.g. 9007199254740993)')
    .refine((v) => BigInt(v) <= 9_000_000_000_000_000_000n, 'at most 9000000000000000000 (versions must stay within int64)')
    .optional(),
});

/** Parses flags and environment into simulator options. Throws CONFIG_INVALID listing every problem. */
export function loadSimulatorConfig(argv: readonly string[] = process.argv.slice(2), env: Env = process.env): SimulatorOptions & { port: number; logLevel: string } {
  const options = Object.fromEntries(
    Object.keys(FLAGS).map((k) => [k, { type: k === 'control' ? ('boolean' as const) : ('string' as const), ...(k === 'hostname' ? { multiple: true } : {}) }]),
  );
  const { values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false });
  const merged: Env = Object.fromEntries(Object.values(FLAGS).map((v) => [v, env[v]]));
  for (const [flag, variable] of Object.entries(FLAGS)) {
    const v = values[flag];
    if (v !== undefined) merged[variable] = Array.isArray(v) ? v.join(',') : String(v);
  }
  const c = loadConfig('simulator', schema, merged);
  const tableRows = c.SIM_TABLE_ROWS
    ? Object.fromEntries(c.SIM_TABLE_ROWS.split(',').map((p) => p.trim().split('=')).map(([k, v]) => [k ?? '', Number(v)]))
    : undefined;
  return Object.freeze({
    port: c.SIM_PORT,
    seed: c.SIM_SEED,
    rows: c.SIM_ROWS,
    ...(tableRows ? { tableRows } : {}),
    generatedTables: c.SIM_GENERATED_TABLES,
    generatedMaxRows: c.SIM_GENERATED_MAX_ROWS,
    ...(c.SIM_ANCHOR ? { anchor: c.SIM_ANCHOR } : {}),
    control: c.SIM_CONTROL,
    tokenLifetimeSeconds: c.SIM_TOKEN_LIFETIME,
    ...(c.SIM_STATE_DIR ? { stateDir: c.SIM_STATE_DIR } : {}),
    limits: { requests: c.SIM_LIMIT_REQUESTS, executionMs: c.SIM_LIMIT_EXECUTION_MS, concurrency: c.SIM_LIMIT_CONCURRENCY, windowSeconds: c.SIM_LIMIT_WINDOW_SECONDS },
    dopHint: c.SIM_DOP_HINT,
    deltaRetentionDays: c.SIM_DELTA_RETENTION_DAYS,
    ...(c.SIM_HOSTNAMES && c.SIM_HOSTNAMES.length > 0 ? { hostnames: c.SIM_HOSTNAMES } : {}),
    ...(c.SIM_VERSION_OFFSET ? { versionOffset: BigInt(c.SIM_VERSION_OFFSET) } : {}),
    logLevel: c.SIM_LOG_LEVEL,
  });
}
