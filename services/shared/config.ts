/**
 * The shared mechanism behind every service's `config.ts`: a zod schema over environment variables, validated
 * once at start-up, reporting every problem at once with the variable's name, then frozen.
 *
 * Only a service's `config.ts` passes `process.env` in; everything else receives the typed, frozen result.
 */
import { z } from 'zod';
import { SyncError } from './errors.ts';

/** Environment variables as Node exposes them. */
export type Env = Record<string, string | undefined>;

/** The variable an issue is about, with the item of a list variable (`KAFKA_BROKERS (item 2)`). */
function variableOf(path: readonly PropertyKey[]): { name: string; label: string } {
  const name = path.length === 0 ? '(root)' : String(path[0]);
  const rest = path.slice(1).map((p) => (typeof p === 'number' ? `item ${p + 1}` : String(p)));
  return { name, label: rest.length === 0 ? name : `${name} (${rest.join(', ')})` };
}

/**
 * Parses `env` with `schema` (keys = variable names). A variable set to an empty or blank string counts as unset
 * (as `VAR=` in a compose or env file), so it gets its default instead of coercing to 0 or "". Throws one
 * `CONFIG_INVALID` error listing every invalid or missing variable by name with the reason (never the value: it
 * may be a secret); returns a deeply frozen result.
 */
export function loadConfig<S extends z.ZodObject>(service: string, schema: S, env: Env): Readonly<z.infer<S>> {
  const present: Env = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v.trim() !== '') present[k] = v;
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    throw configError(
      service,
      parsed.error.issues.map((i) => {
        const v = variableOf(i.path);
        return { variable: v.name, label: v.label, message: i.message };
      }),
    );
  }
  return deepFreeze(parsed.data);
}

/** One problem of a configuration: the variable, how it is shown (`KAFKA_BROKERS (item 2)`, default the name) and why. */
export interface ConfigProblem {
  variable: string;
  label?: string;
  message: string;
}

/**
 * The one CONFIG_INVALID error of a configuration, listing every problem by variable (as {@link loadConfig} reports
 * them); for checks that span several variables or read files, made after the schema passed.
 */
export function configError(service: string, problems: readonly ConfigProblem[]): SyncError {
  const lines = problems.map((p) => `  ${p.label ?? p.variable}: ${p.message}`);
  return new SyncError(
    'CONFIG_INVALID',
    `${service}: invalid configuration (${lines.length} problem${lines.length > 1 ? 's' : ''}); fix these environment variables:\n${lines.join('\n')}`,
    { details: { service, variables: [...new Set(problems.map((p) => p.variable))] } },
  );
}

/** Freezes an object graph in place and returns it. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Reusable field parsers for environment variables (strings in, typed values out). */
export const envField = {
  /** A TCP port (1..65535), with a default. */
  port: (def: number) => z.coerce.number().int().min(1).max(65_535).default(def),
  /** A MongoDB database name (letters, digits, `_` and `-`), with a default. */
  databaseName: (def: string) => z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only').default(def),
  /** A positive integer, with a default. */
  positiveInt: (def: number) => z.coerce.number().int().positive().default(def),
  /** A comma-separated list of `host:port` Kafka brokers. */
  brokers: (def: string) =>
    z
      .string()
      .default(def)
      .transform((s) => s.split(',').map((b) => b.trim()).filter(Boolean))
      .pipe(z.array(z.string().regex(/^[^:\s]+:\d+$/, 'expected host:port')).min(1)),
  /** An absolute http(s) URL. */
  url: (def?: string) => (def === undefined ? z.url({ protocol: /^https?$/ }) : z.url({ protocol: /^https?$/ }).default(def)),
  /** `true`/`false`/`1`/`0`, with a default. */
  bool: (def: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'])
      .default(def ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  /** A regular expression (validated), with a default. */
  regex: (def: string) =>
    z
      .string()
      .default(def)
      .refine((s) => {
        try {
          new RegExp(s);
          return true;
        } catch {
          return false;
        }
      }, 'not a valid regular expression')
      .transform((s) => new RegExp(s)),
  /**
   * V8's old-generation growing factor as a percentage (the heap may grow to 1 + percent/100 of its live size after a
   * full collection before the next one; V8's `--heap-growing-percent`, which NODE_OPTIONS refuses), with a default;
   * 0 leaves V8's own. Applied at start-up by `applyHeapGrowingPercent` (lifecycle.ts).
   */
  heapGrowingPercent: (def: number) => z.coerce.number().int().min(0).max(1000).default(def),
  /** A pino log level. */
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
} as const;
