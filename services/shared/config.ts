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

/**
 * Parses `env` with `schema` (keys = variable names). Throws one `CONFIG_INVALID` error listing every invalid
 * or missing variable with the reason; returns a deeply frozen result.
 */
export function loadConfig<S extends z.ZodObject>(service: string, schema: S, env: Env): Readonly<z.infer<S>> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new SyncError(
      'CONFIG_INVALID',
      `${service}: invalid configuration (${problems.length} problem${problems.length > 1 ? 's' : ''}):\n${problems.join('\n')}`,
      { details: { service, variables: parsed.error.issues.map((i) => i.path.join('.')) } },
    );
  }
  return deepFreeze(parsed.data);
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
  /** A pino log level. */
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
} as const;
