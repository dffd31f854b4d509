/**
 * The Confluent-compatible schema registry (Apicurio's /apis/ccompat/v7 locally) through
 * @kafkajs/confluent-schema-registry: Avro schemas registered under `<topic>-value` with BACKWARD compatibility,
 * values in the Confluent wire format (magic byte 0 + 4-byte schema id + Avro body), schema ids cached.
 * Registry failures are classified: incompatible or invalid schema → SCHEMA_INCOMPATIBLE (config: a human must
 * decide), refused credentials or an untrusted certificate → CONFIG_INVALID naming the variable, unreachable →
 * REGISTRY_UNAVAILABLE (transient).
 *
 * Access: HTTP basic authentication and TLS with a private CA, from {@link REGISTRY_ACCESS_ENV} (every service that
 * talks to the registry spreads it into its configuration); {@link checkRegistryAccess} tries them once at start-up.
 */
import type { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { Schema as AvscSchema } from 'avsc';
import { Agent as UndiciAgent, request } from 'undici';
import { z } from 'zod';
import { exactLongTypeHook } from './avro-exact-long.ts';
import { configError, loadConfig, type ConfigProblem, type Env } from './config.ts';
import { pemCertificates, secretSetting, type ReadText } from './credential-files.ts';
import { SyncError, causeCodes } from './errors.ts';
import type { Logger } from './log.ts';
import { retry, type RetryOptions } from './retry.ts';

const REGISTER_RETRY: RetryOptions = { retries: 3, minDelayMs: 100, maxDelayMs: 1000 };

/** avsc options forwarded when schemas are parsed (e.g. `logicalTypes` for exact decimals). */
export type AvroOptions = Record<string, unknown>;

/** A registry client bound to one URL. */
export interface Registry {
  /** Registers `schema` under `subject` (BACKWARD compatibility); returns the schema id. Idempotent. */
  register(subject: string, schema: AvscSchema | object): Promise<number>;
  /** Encodes `value` with schema `id` in the Confluent wire format; invalid values throw RECORD_INVALID. */
  encode(id: number, value: unknown): Promise<Buffer>;
  /** Decodes a Confluent-wire-format buffer (fetching and caching the writer schema by id). */
  decode(buffer: Buffer): Promise<unknown>;
  /** The underlying client, for tools that need more. */
  readonly client: SchemaRegistry;
}

function statusOf(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null && 'status' in err ? Number((err as { status: unknown }).status) : undefined;
}

/** The registry access variables. */
export const REGISTRY_ACCESS_ENV = {
  /** HTTP basic authentication: the user of this process (with SCHEMA_REGISTRY_PASSWORD or _FILE). */
  SCHEMA_REGISTRY_USERNAME: z.string().optional(),
  SCHEMA_REGISTRY_PASSWORD: z.string().optional(),
  /** A file holding the password (one trailing newline ignored). */
  SCHEMA_REGISTRY_PASSWORD_FILE: z.string().optional(),
  /** https registries: PEM CA certificate(s) its certificate must chain to (default: the system's roots). */
  SCHEMA_REGISTRY_CA_PATH: z.string().optional(),
} as const;

const accessSchema = z.object({ SCHEMA_REGISTRY_URL: z.url({ protocol: /^https?$/ }), ...REGISTRY_ACCESS_ENV });

/** How a process reaches the registry, checked. */
export interface RegistryAccess {
  readonly url: string;
  /** Holds the password: never log it. */
  readonly auth: { username: string; password: string } | undefined;
  /** The variable that holds the password, for messages. */
  readonly passwordVariable: string | undefined;
  readonly ca: string | undefined;
  readonly caPath: string | undefined;
  readonly warnings: readonly string[];
  /** `https://…, basic auth as dynsync, CA /path`. */
  readonly summary: string;
  /** Serialises to the summary (no password). */
  toJSON(): string;
}

/**
 * Checks the registry access variables and reads their files: CONFIG_INVALID (every problem by variable) for a user
 * without password or the reverse, a CA for an http URL, unreadable or malformed files.
 */
export function registryAccess(service: string, env: z.infer<typeof accessSchema>, reader?: ReadText): RegistryAccess {
  const problems: ConfigProblem[] = [];
  const url = env.SCHEMA_REGISTRY_URL;
  const https = url.startsWith('https:');
  const password = secretSetting(
    { inline: env.SCHEMA_REGISTRY_PASSWORD, file: env.SCHEMA_REGISTRY_PASSWORD_FILE, variable: 'SCHEMA_REGISTRY_PASSWORD', fileVariable: 'SCHEMA_REGISTRY_PASSWORD_FILE' },
    problems,
    reader,
  );
  const hasPassword = env.SCHEMA_REGISTRY_PASSWORD !== undefined || env.SCHEMA_REGISTRY_PASSWORD_FILE !== undefined;
  if (env.SCHEMA_REGISTRY_USERNAME !== undefined && !hasPassword) problems.push({ variable: 'SCHEMA_REGISTRY_PASSWORD', message: 'required with SCHEMA_REGISTRY_USERNAME (or SCHEMA_REGISTRY_PASSWORD_FILE)' });
  if (env.SCHEMA_REGISTRY_USERNAME === undefined && hasPassword) problems.push({ variable: 'SCHEMA_REGISTRY_USERNAME', message: 'required with a registry password' });
  let ca: string | undefined;
  if (env.SCHEMA_REGISTRY_CA_PATH !== undefined) {
    if (!https) problems.push({ variable: 'SCHEMA_REGISTRY_CA_PATH', message: 'set, but SCHEMA_REGISTRY_URL is http: use the registry\'s https URL' });
    else ca = pemCertificates(env.SCHEMA_REGISTRY_CA_PATH, 'SCHEMA_REGISTRY_CA_PATH', problems, reader);
  }
  if (problems.length > 0) throw configError(service, problems);
  const auth = env.SCHEMA_REGISTRY_USERNAME !== undefined && password !== undefined ? { username: env.SCHEMA_REGISTRY_USERNAME, password } : undefined;
  const host = new URL(url).hostname;
  const loopback = host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
  const warnings = auth && !https && !loopback ? [`SCHEMA_REGISTRY_URL is http: the registry password travels without TLS to ${host}; use the registry's https URL`] : [];
  const summary = [url, auth ? `basic auth as ${auth.username}` : 'no authentication', https ? (env.SCHEMA_REGISTRY_CA_PATH ? `CA ${env.SCHEMA_REGISTRY_CA_PATH}` : 'system CAs') : undefined].filter(Boolean).join(', ');
  return {
    url,
    auth,
    passwordVariable: env.SCHEMA_REGISTRY_PASSWORD_FILE !== undefined ? 'SCHEMA_REGISTRY_PASSWORD_FILE' : 'SCHEMA_REGISTRY_PASSWORD',
    ca,
    caPath: env.SCHEMA_REGISTRY_CA_PATH,
    warnings,
    summary,
    toJSON: () => summary,
  };
}

/** {@link registryAccess} of a record of variables (tools and tests that hold the settings as env lines). */
export function registryAccessOf(service: string, env: Env, reader?: ReadText): RegistryAccess {
  return registryAccess(service, loadConfig(service, accessSchema, env), reader);
}

const UNTRUSTED_TLS = /CERT|SELF_SIGNED|UNABLE_TO_(VERIFY|GET)|ERR_TLS_CERT_ALTNAME_INVALID/;

/**
 * The configuration error of a registry answer or failure, or undefined: 401 → the password (or missing
 * credentials), 403 → the user's role, an untrusted or mismatching certificate → SCHEMA_REGISTRY_CA_PATH.
 */
export function registryAccessError(failure: { status?: number; err?: unknown }, access: Pick<RegistryAccess, 'url' | 'auth' | 'passwordVariable' | 'caPath'>): SyncError | undefined {
  const fail = (variable: string, message: string) =>
    new SyncError('CONFIG_INVALID', `${variable}: ${message}`, { cause: failure.err, details: { variables: [variable], registry: access.url, status: failure.status } });
  if (failure.status === 401) {
    return access.auth
      ? fail(access.passwordVariable ?? 'SCHEMA_REGISTRY_PASSWORD', `the schema registry at ${access.url} refused the credentials of user "${access.auth.username}" (HTTP 401): check SCHEMA_REGISTRY_USERNAME and ${access.passwordVariable}`)
      : fail('SCHEMA_REGISTRY_USERNAME', `the schema registry at ${access.url} requires authentication (HTTP 401): set SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD (or _FILE)`);
  }
  if (failure.status === 403) {
    return fail('SCHEMA_REGISTRY_USERNAME', `user "${access.auth?.username ?? '(anonymous)'}" may not use the schema registry at ${access.url} (HTTP 403): give it a role that reads and registers schemas`);
  }
  const code = causeCodes(failure.err).find((c) => UNTRUSTED_TLS.test(c)) ?? (/self[- ]signed certificate|unable to verify the first certificate|unable to get (local )?issuer/i.test(String((failure.err as Error | undefined)?.message)) ? 'untrusted' : undefined);
  if (code !== undefined) {
    const ca = access.caPath ? `the CA in SCHEMA_REGISTRY_CA_PATH (${access.caPath})` : "the system's CAs (set SCHEMA_REGISTRY_CA_PATH to its CA)";
    return fail('SCHEMA_REGISTRY_CA_PATH', `the TLS certificate of the schema registry at ${access.url} is not trusted by ${ca} (${code})`);
  }
  return undefined;
}

/**
 * Reads the registry's subject list once before a service starts: refused credentials and untrusted certificates
 * are thrown as CONFIG_INVALID naming the variable (see {@link registryAccessError}); an unreachable registry is
 * logged and left to the service's retries.
 */
export async function checkRegistryAccess(access: RegistryAccess, log?: Logger): Promise<void> {
  for (const w of access.warnings) log?.warn(w);
  const dispatcher = new UndiciAgent({ connect: access.ca ? { ca: access.ca } : {}, connectTimeout: 5_000 });
  try {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (access.auth) headers.authorization = `Basic ${Buffer.from(`${access.auth.username}:${access.auth.password}`).toString('base64')}`;
    const res = await request(`${access.url.replace(/\/+$/, '')}/subjects`, { dispatcher, headers, headersTimeout: 10_000, bodyTimeout: 10_000 });
    await res.body.dump();
    const config = registryAccessError({ status: res.statusCode }, access);
    if (config) throw config;
    log?.info({ registry: access.summary }, `schema registry reached (${access.summary})`);
  } catch (err) {
    if (err instanceof SyncError) throw err;
    const config = registryAccessError({ err }, access);
    if (config) throw config;
    log?.warn({ registry: access.summary, reason: (err as Error).message }, 'schema registry not reachable yet; the service keeps trying');
  } finally {
    await dispatcher.close();
  }
}

/** Turns a registry client error into the taxonomy; `what` names the subject or id involved. */
export function classifyRegistryError(err: unknown, what: string): SyncError {
  if (err instanceof SyncError) return err;
  const status = statusOf(err);
  const message = err instanceof Error ? err.message : String(err);
  if (status === 401 || status === 403) {
    return new SyncError('CONFIG_INVALID', `the schema registry refused the call for ${what} (HTTP ${status}): check SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD (or _FILE) and the user's role`, {
      cause: err,
      details: { subject: what, status, variables: ['SCHEMA_REGISTRY_USERNAME', 'SCHEMA_REGISTRY_PASSWORD'] },
    });
  }
  if (status === 409 && /already exists/i.test(message)) {
    // Apicurio answers the PUT /config/<subject> of a first registration with 409 "A rule named 'COMPATIBILITY'
    // already exists" when another client registered the same subject at the same moment (fresh registry, services
    // starting together): the schema is registered; registering again finds the rule and is idempotent.
    return new SyncError('REGISTRY_UNAVAILABLE', `concurrent first registration of ${what}: ${message}`, { cause: err, details: { subject: what, status } });
  }
  if (status === 409) {
    return new SyncError(
      'SCHEMA_INCOMPATIBLE',
      `schema for ${what} is not BACKWARD compatible with the registered version: ${message}. ` +
        'Existing consumers could not read new records. Revert the column change, or run a full resync into a new topic.',
      { cause: err, details: { subject: what, status } },
    );
  }
  if (status === 422 || /invalid schema/i.test(message)) {
    return new SyncError('SCHEMA_INCOMPATIBLE', `schema for ${what} was rejected as invalid: ${message}`, { cause: err, details: { subject: what, status } });
  }
  if (/Compatibility does not match/.test(message)) {
    return new SyncError(
      'SCHEMA_INCOMPATIBLE',
      `subject ${what} is configured with another compatibility level than BACKWARD (${message}). Set it back: ` +
        `PUT /config/${what} {"compatibility":"BACKWARD"}, or start the registry with global compatibility BACKWARD.`,
      { cause: err, details: { subject: what } },
    );
  }
  if (status === 404) {
    return new SyncError('RECORD_INVALID', `schema ${what} is unknown to the registry: ${message}`, { cause: err, details: { subject: what, status } });
  }
  return new SyncError('REGISTRY_UNAVAILABLE', `schema registry call for ${what} failed: ${message}`, { cause: err, details: { subject: what, status } });
}

/**
 * Creates a registry client for `access` (checked settings), or for a bare URL without authentication
 * (e.g. http://127.0.0.1:8080/apis/ccompat/v7).
 */
export function createRegistry(access: RegistryAccess | string, avroOptions: AvroOptions = {}): Registry {
  const url = typeof access === 'string' ? access : access.url;
  const auth = typeof access === 'string' ? undefined : access.auth;
  const ca = typeof access === 'string' ? undefined : access.ca;
  const client = new SchemaRegistry(
    {
      host: url,
      retry: { retries: 3, initialRetryTimeInSecs: 0.2, maxRetryTimeInSecs: 2 },
      ...(auth ? { auth } : {}),
      // a private CA travels in an https.Agent (the client's type says http.Agent; mappersmith passes it to https)
      ...(ca ? { agent: new HttpsAgent({ ca, keepAlive: true }) as unknown as HttpAgent } : {}),
    },
    // exact longs (BigInt beyond 2^53) unless the caller brings its own type hook
    { [SchemaType.AVRO]: { typeHook: exactLongTypeHook, ...avroOptions } },
  );
  return {
    client,
    async register(subject, schema) {
      // a few quick retries for transient failures, e.g. a concurrent first registration (see classifyRegistryError)
      return retry(async () => {
        try {
          const { id } = await client.register(
            { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
            { subject, compatibility: COMPATIBILITY.BACKWARD },
          );
          return id;
        } catch (err) {
          throw classifyRegistryError(err, subject);
        }
      }, REGISTER_RETRY);
    },
    async encode(id, value) {
      try {
        return await client.encode(id, value);
      } catch (err) {
        if (err instanceof Error && err.name === 'ConfluentSchemaRegistryValidationError') {
          const paths = (err as { paths?: string[][] }).paths?.map((p) => p.join('.')).join(', ');
          throw new SyncError('RECORD_INVALID', `record does not match schema ${id}${paths ? ` at ${paths}` : ''}`, { cause: err });
        }
        throw classifyRegistryError(err, `schema id ${id}`);
      }
    },
    async decode(buffer) {
      if (buffer.length < 5 || buffer[0] !== 0) {
        throw new SyncError('RECORD_INVALID', 'value is not in the Confluent wire format (magic byte 0 + schema id)');
      }
      try {
        return await client.decode(buffer);
      } catch (err) {
        throw classifyRegistryError(err, `schema id ${buffer.readInt32BE(1)}`);
      }
    },
  };
}
