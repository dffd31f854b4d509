/**
 * How a process reaches Kafka: TLS (the system's roots or a private CA, and a client certificate for mutual TLS) and
 * SASL (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512), from the variables of {@link KAFKA_ACCESS_ENV}, which every service's
 * configuration spreads in. Each process has its own principal (SECURITY.md, "Principals and ACLs").
 *
 * {@link kafkaAccess} checks the combination and reads the files once at start-up (one CONFIG_INVALID naming every
 * variable at fault); {@link checkKafkaAccess} connects once before the service starts and turns a refused password,
 * an unknown mechanism, an untrusted certificate or a TLS/plaintext mismatch into one line naming the variable to fix.
 * The password is never logged or put in an error: {@link KafkaAccess} serialises to its summary.
 */
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import { z } from 'zod';
import { configError, loadConfig, type ConfigProblem, type Env } from './config.ts';
import { pemCertificates, pemPrivateKey, secretSetting, type ReadText } from './credential-files.ts';
import { SyncError } from './errors.ts';
import { createKafka } from './kafka.ts';
import type { Logger } from './log.ts';

/** Kafka's `security.protocol` values, lower-case. */
export const KAFKA_SECURITY_PROTOCOLS = ['plaintext', 'ssl', 'sasl_plaintext', 'sasl_ssl'] as const;
/** The SASL mechanisms kafkajs speaks with a user name and password. */
export const KAFKA_SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;

export type KafkaSecurityProtocol = (typeof KAFKA_SECURITY_PROTOCOLS)[number];
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

const lowerEnum = <T extends readonly [string, ...string[]]>(values: T, def: T[number]) =>
  z
    .string()
    .default(def)
    .transform((s) => s.trim().toLowerCase())
    .pipe(z.enum(values, { error: `expected one of ${values.join(', ')}` }));

/** The Kafka access variables (every service and the CLI read the same ones). */
export const KAFKA_ACCESS_ENV = {
  /** `plaintext` (default), `ssl`, `sasl_plaintext` or `sasl_ssl`, as the broker listener's security.protocol. */
  KAFKA_SECURITY_PROTOCOL: lowerEnum(KAFKA_SECURITY_PROTOCOLS, 'plaintext'),
  /** With sasl_*: `scram-sha-512` (default), `scram-sha-256` or `plain`. */
  KAFKA_SASL_MECHANISM: lowerEnum(KAFKA_SASL_MECHANISMS, 'scram-sha-512'),
  /** With sasl_*: this process's principal. */
  KAFKA_SASL_USERNAME: z.string().optional(),
  /** With sasl_*: its password (or KAFKA_SASL_PASSWORD_FILE). */
  KAFKA_SASL_PASSWORD: z.string().optional(),
  /** With sasl_*: a file holding the password (one trailing newline ignored). */
  KAFKA_SASL_PASSWORD_FILE: z.string().optional(),
  /** With ssl / sasl_ssl: PEM CA certificate(s) the brokers' certificates must chain to (default: the system's roots). */
  KAFKA_CA_PATH: z.string().optional(),
  /** With ssl / sasl_ssl: PEM client certificate for mutual TLS (with KAFKA_KEY_PATH). */
  KAFKA_CERT_PATH: z.string().optional(),
  /** With ssl / sasl_ssl: its unencrypted PEM private key (mode 0600). */
  KAFKA_KEY_PATH: z.string().optional(),
} as const;

const schema = z.object(KAFKA_ACCESS_ENV);

/** The parsed access variables. */
export type KafkaAccessEnv = z.infer<typeof schema>;

/** A process's way into Kafka, checked. */
export interface KafkaAccess {
  readonly protocol: KafkaSecurityProtocol;
  /** With SASL. */
  readonly mechanism: KafkaSaslMechanism | undefined;
  readonly username: string | undefined;
  /** The variable that holds the password (KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE), for messages. */
  readonly passwordVariable: string | undefined;
  /** KAFKA_CA_PATH when set (else the system's roots are trusted). */
  readonly caPath: string | undefined;
  /** With a client certificate: mutual TLS. */
  readonly clientCertificate: boolean;
  /** kafkajs settings (`ssl`, `sasl`): spread into createKafka's overrides. Holds the password: never log it. */
  readonly client: Pick<KafkaConfig, 'ssl' | 'sasl'>;
  /** Legal but weak choices, logged once at start-up (a password sent without TLS). */
  readonly warnings: readonly string[];
  /** `sasl_ssl, SCRAM-SHA-512 as dynsync-loader, CA /path`: what logs and errors show. */
  readonly summary: string;
  /** Serialises to the summary, so a logged access object carries no password. */
  toJSON(): string;
}

const isSasl = (p: KafkaSecurityProtocol) => p === 'sasl_plaintext' || p === 'sasl_ssl';
const isTls = (p: KafkaSecurityProtocol) => p === 'ssl' || p === 'sasl_ssl';

/**
 * Checks the access variables and reads their files: CONFIG_INVALID (as `service`'s configuration, every problem by
 * variable) for a SASL protocol without user or password, credentials or certificates given to a protocol that does
 * not use them, a certificate without its key, unreadable or malformed files.
 */
export function kafkaAccess(service: string, env: KafkaAccessEnv, reader?: ReadText): KafkaAccess {
  const problems: ConfigProblem[] = [];
  const protocol = env.KAFKA_SECURITY_PROTOCOL;
  const sasl = isSasl(protocol);
  const tls = isTls(protocol);
  const given = (v: keyof KafkaAccessEnv) => env[v] !== undefined;
  const p = `KAFKA_SECURITY_PROTOCOL=${protocol}`;
  let password: string | undefined;
  let passwordVariable: string | undefined;
  if (sasl) {
    if (!given('KAFKA_SASL_USERNAME')) problems.push({ variable: 'KAFKA_SASL_USERNAME', message: `required with ${p} (the principal of this process)` });
    if (!given('KAFKA_SASL_PASSWORD') && !given('KAFKA_SASL_PASSWORD_FILE')) {
      problems.push({ variable: 'KAFKA_SASL_PASSWORD', message: `required with ${p} (or KAFKA_SASL_PASSWORD_FILE)` });
    }
    passwordVariable = given('KAFKA_SASL_PASSWORD_FILE') ? 'KAFKA_SASL_PASSWORD_FILE' : 'KAFKA_SASL_PASSWORD';
    password = secretSetting(
      { inline: env.KAFKA_SASL_PASSWORD, file: env.KAFKA_SASL_PASSWORD_FILE, variable: 'KAFKA_SASL_PASSWORD', fileVariable: 'KAFKA_SASL_PASSWORD_FILE' },
      problems,
      reader,
    );
  } else {
    for (const v of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD', 'KAFKA_SASL_PASSWORD_FILE'] as const) {
      if (given(v)) problems.push({ variable: v, message: `set, but ${p} does not authenticate with SASL: use sasl_ssl` });
    }
  }
  let ca: string | undefined;
  let cert: string | undefined;
  let key: string | undefined;
  if (tls) {
    if (env.KAFKA_CA_PATH !== undefined) ca = pemCertificates(env.KAFKA_CA_PATH, 'KAFKA_CA_PATH', problems, reader);
    if (given('KAFKA_CERT_PATH') !== given('KAFKA_KEY_PATH')) {
      const missing = given('KAFKA_CERT_PATH') ? 'KAFKA_KEY_PATH' : 'KAFKA_CERT_PATH';
      problems.push({ variable: missing, message: 'a client certificate (mutual TLS) needs both KAFKA_CERT_PATH and KAFKA_KEY_PATH' });
    } else if (env.KAFKA_CERT_PATH !== undefined && env.KAFKA_KEY_PATH !== undefined) {
      cert = pemCertificates(env.KAFKA_CERT_PATH, 'KAFKA_CERT_PATH', problems, reader);
      key = pemPrivateKey(env.KAFKA_KEY_PATH, 'KAFKA_KEY_PATH', problems, reader);
    }
  } else {
    for (const v of ['KAFKA_CA_PATH', 'KAFKA_CERT_PATH', 'KAFKA_KEY_PATH'] as const) {
      if (given(v)) problems.push({ variable: v, message: `set, but ${p} does not use TLS: use ssl or sasl_ssl` });
    }
  }
  if (problems.length > 0) throw configError(service, problems);

  const mechanism = sasl ? env.KAFKA_SASL_MECHANISM : undefined;
  const ssl: ConnectionOptions | undefined = tls ? { rejectUnauthorized: true, ...(ca ? { ca } : {}), ...(cert && key ? { cert, key } : {}) } : undefined;
  const client: Pick<KafkaConfig, 'ssl' | 'sasl'> = {
    ...(ssl ? { ssl } : {}),
    ...(sasl ? { sasl: { mechanism: mechanism!, username: env.KAFKA_SASL_USERNAME!, password: password! } as SASLOptions } : {}),
  };
  const warnings = protocol === 'sasl_plaintext' ? [`KAFKA_SECURITY_PROTOCOL=sasl_plaintext: the SASL ${mechanism!.toUpperCase()} exchange and every record travel without TLS; use sasl_ssl outside a trusted network`] : [];
  const summary = [
    protocol,
    sasl ? `${mechanism!.toUpperCase()} as ${env.KAFKA_SASL_USERNAME}` : undefined,
    cert ? `client certificate ${env.KAFKA_CERT_PATH}` : undefined,
    tls ? (env.KAFKA_CA_PATH ? `CA ${env.KAFKA_CA_PATH}` : 'system CAs') : undefined,
  ]
    .filter(Boolean)
    .join(', ');
  return {
    protocol,
    mechanism,
    username: env.KAFKA_SASL_USERNAME,
    passwordVariable,
    caPath: env.KAFKA_CA_PATH,
    clientCertificate: cert !== undefined,
    client,
    warnings,
    summary,
    toJSON: () => summary,
  };
}

/** {@link kafkaAccess} of a record of variables (tools and tests that hold the settings as env lines). */
export function kafkaAccessOf(service: string, env: Env, reader?: ReadText): KafkaAccess {
  return kafkaAccess(service, loadConfig(service, schema, env), reader);
}

/** The access of a plaintext cluster without authentication (tools that are given none). */
export const PLAINTEXT_ACCESS: KafkaAccess = kafkaAccess('plaintext', schema.parse({}));

/** Node's codes of a certificate that does not chain to a trusted CA. */
const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_UNTRUSTED', 'CERT_SIGNATURE_FAILURE', 'CERT_REJECTED',
]);
const EXPIRED = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);
/** What a TLS client sees when the other end does not speak TLS. */
const NOT_TLS = /wrong version number|packet length too long|disconnected before secure TLS connection|unknown protocol/i;

/** Names, codes and messages along kafkajs's wrapping (`originalError`, `cause`), the error itself first. */
function chain(err: unknown): { name: string; code: string; message: string; type: string }[] {
  const out: { name: string; code: string; message: string; type: string }[] = [];
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length > 0 && out.length < 8) {
    const e = queue.shift();
    if (!e || typeof e !== 'object' || seen.has(e)) continue;
    seen.add(e);
    const o = e as { name?: unknown; code?: unknown; message?: unknown; type?: unknown; originalError?: unknown; cause?: unknown };
    out.push({ name: String(o.name ?? ''), code: String(o.code ?? ''), message: String(o.message ?? ''), type: String(o.type ?? '') });
    queue.push(o.originalError, o.cause);
  }
  return out;
}

/**
 * The configuration error behind a failure to reach Kafka, or undefined when it is not one (a broker down, a network
 * outage: the service's own retries deal with those). `broker` is the `host:port` tried (named in the message).
 */
export function kafkaAccessError(err: unknown, access: KafkaAccess, broker: string): SyncError | undefined {
  const links = chain(err);
  const has = (f: (l: (typeof links)[number]) => boolean) => links.find(f);
  const fail = (variable: string, message: string, extra: string[] = []) =>
    new SyncError('CONFIG_INVALID', `${variable}: ${message}`, { cause: err, details: { variables: [variable, ...extra], broker } });
  const mechanismGone = has((l) => /mechanism is not supported by the server|UNSUPPORTED_SASL_MECHANISM/i.test(`${l.message} ${l.type}`));
  if (mechanismGone) {
    return fail('KAFKA_SASL_MECHANISM', `the broker at ${broker} does not enable SASL ${access.mechanism?.toUpperCase()} on this listener: choose a mechanism it enables (${KAFKA_SASL_MECHANISMS.join(', ')})`);
  }
  if (has((l) => l.name === 'KafkaJSSASLAuthenticationError' || l.type === 'SASL_AUTHENTICATION_FAILED')) {
    const pw = access.passwordVariable ?? 'KAFKA_SASL_PASSWORD';
    return fail(pw, `Kafka (${broker}) refused the credentials of user "${access.username}" with SASL ${access.mechanism?.toUpperCase()}: check KAFKA_SASL_USERNAME and ${pw} (the user may not exist for this mechanism)`, ['KAFKA_SASL_USERNAME']);
  }
  const ca = access.caPath ? `the CA in KAFKA_CA_PATH (${access.caPath})` : "the system's CAs (set KAFKA_CA_PATH to the cluster's CA)";
  const untrusted = has((l) => UNTRUSTED.has(l.code) || /self[- ]signed certificate|unable to verify the first certificate|unable to get (local )?issuer certificate/i.test(l.message));
  if (untrusted) return fail('KAFKA_CA_PATH', `the TLS certificate of the broker at ${broker} is not signed by ${ca} (${untrusted.code || 'untrusted'})`);
  const expired = has((l) => EXPIRED.has(l.code));
  if (expired) return fail('KAFKA_CA_PATH', `the TLS certificate of the broker at ${broker} is not valid now (${expired.code}): renew it`);
  if (has((l) => l.code === 'ERR_TLS_CERT_ALTNAME_INVALID')) {
    return fail('KAFKA_BROKERS', `the TLS certificate of the broker at ${broker} does not name that host: list the brokers by a name their certificates carry`);
  }
  if (isTls(access.protocol) && has((l) => NOT_TLS.test(l.message) || l.code === 'ERR_SSL_WRONG_VERSION_NUMBER')) {
    return fail('KAFKA_SECURITY_PROTOCOL', `${access.protocol} uses TLS, but the broker at ${broker} does not answer TLS on that port: use the listener's protocol (plaintext or sasl_plaintext) or its TLS port`);
  }
  return undefined;
}

/** True when `host:port` completes a TLS handshake (certificate not checked): the listener speaks TLS. */
function speaksTls(broker: string, timeoutMs = 3_000): Promise<boolean> {
  const at = broker.lastIndexOf(':');
  return new Promise((resolve) => {
    const socket = tlsConnect({ host: broker.slice(0, at), port: Number(broker.slice(at + 1)), rejectUnauthorized: false });
    const done = (v: boolean) => {
      socket.destroy();
      resolve(v);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('secureConnect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Connects to the first broker once with `access` before a service starts. A configuration problem (see
 * {@link kafkaAccessError}; also a plaintext client on a TLS listener) is thrown as CONFIG_INVALID naming the variable;
 * anything else (the broker not up yet) is logged and left to the service's own retries. Logs the weak choices of
 * `access.warnings` once.
 */
export async function checkKafkaAccess(clientId: string, brokers: readonly string[], access: KafkaAccess, log?: Logger): Promise<void> {
  for (const w of access.warnings) log?.warn(w);
  const broker = brokers[0]!;
  const admin = createKafka(`${clientId}-access-check`, [broker], undefined, { ...access.client, connectionTimeout: 5_000, retry: { retries: 0 } }).admin();
  try {
    await admin.connect();
    await admin.describeCluster();
    log?.info({ kafka: access.summary }, `Kafka reached as ${access.username ?? 'an anonymous client'} (${access.summary})`);
  } catch (err) {
    const config = kafkaAccessError(err, access, broker);
    if (config) throw config;
    if (!isTls(access.protocol) && (await speaksTls(broker))) {
      throw new SyncError(
        'CONFIG_INVALID',
        `KAFKA_SECURITY_PROTOCOL: ${access.protocol} does not use TLS, but the broker at ${broker} answers TLS: use ssl or sasl_ssl (with KAFKA_CA_PATH for a private CA)`,
        { cause: err, details: { variables: ['KAFKA_SECURITY_PROTOCOL'], broker } },
      );
    }
    log?.warn({ kafka: access.summary, reason: (err as Error).message }, `Kafka not reachable at ${broker} yet; the service keeps trying`);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
