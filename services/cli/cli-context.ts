/**
 * The resources of one CLI invocation, created on first use and closed once at the end: configuration (never
 * read for `--help`), logger (stderr), MongoDB (state database: connections, runs, watermarks; sealed secrets),
 * Kafka and open Dataverse connections. Commands receive this context instead of building clients themselves.
 */
import { userInfo } from 'node:os';
import { MongoClient, type Db } from 'mongodb';
import type { Kafka } from 'kafkajs';
import { SyncError } from '../shared/errors.ts';
import { createKafka } from '../shared/kafka.ts';
import { kafkaAccess, type KafkaAccess } from '../shared/kafka-access.ts';
import { createLogger, type Logger } from '../shared/log.ts';
import { ConnectionStore } from '../dataverse/connections/connection-store.ts';
import { checkDevSwitches } from '../dataverse/connections/dev-switches.ts';
import { openConnection, type OpenConnection } from '../dataverse/connections/open-connection.ts';
import { cipherFromConfig } from '../dataverse/secrets/config.ts';
import { EncryptedSecrets } from '../dataverse/secrets/encrypted-secrets.ts';
import { MongoSecretStore } from '../dataverse/secrets/mongo-secret-store.ts';
import type { CliIo } from './cli-io.ts';
import type { CommandSpec } from './command-spec.ts';
import type { CliConfig } from './config.ts';

/** How long the CLI waits for MongoDB before giving up (STORE_UNAVAILABLE, exit 4). */
const MONGO_TIMEOUT_MS = 10_000;

/** Lazily built resources of one invocation. */
export class CliContext {
  readonly io: CliIo;
  private readonly loadConfig: () => CliConfig;
  private readonly logDestination: NodeJS.WritableStream | undefined;
  private cfg: CliConfig | undefined;
  private access: KafkaAccess | undefined;
  private devWarned = false;
  private logger: Logger | undefined;
  private mongoClient: Promise<MongoClient> | undefined;
  private readonly closers: (() => Promise<unknown>)[] = [];

  constructor(io: CliIo, loadConfig: () => CliConfig, logDestination?: NodeJS.WritableStream) {
    this.io = io;
    this.loadConfig = loadConfig;
    this.logDestination = logDestination;
  }

  /** The validated configuration (loaded on first access; CONFIG_INVALID lists every problem). */
  get config(): CliConfig {
    this.cfg ??= this.loadConfig();
    return this.cfg;
  }

  /** Diagnostics logger on stderr (level LOG_LEVEL, default warn). Secrets are redacted by shared/log.ts. */
  get log(): Logger {
    this.logger ??= createLogger('dynsync-cli', this.config.LOG_LEVEL, this.logDestination);
    return this.logger;
  }

  /** `cli:<os user>`, the `requestedBy` of commands this invocation produces. */
  requestedBy(): string {
    let name = 'unknown';
    try {
      name = userInfo().username || name;
    } catch {
      // no passwd entry (some containers): keep "unknown"
    }
    return `cli:${name}`;
  }

  /** The connected MongoDB client; STORE_UNAVAILABLE (exit 4) when it cannot be reached. */
  mongo(): Promise<MongoClient> {
    this.mongoClient ??= (async () => {
      const client = new MongoClient(this.config.MONGODB_URI, { serverSelectionTimeoutMS: MONGO_TIMEOUT_MS, appName: 'dynsync-cli' });
      try {
        await client.connect();
      } catch (err) {
        await client.close().catch(() => undefined);
        throw new SyncError('STORE_UNAVAILABLE', `cannot reach MongoDB (MONGODB_URI): ${(err as Error).message}`, { cause: err });
      }
      this.closers.push(() => client.close());
      return client;
    })();
    return this.mongoClient;
  }

  /** The state database (DYNSYNC_STATE_DB): connections, runs, watermarks. */
  async stateDb(): Promise<Db> {
    return (await this.mongo()).db(this.config.DYNSYNC_STATE_DB);
  }

  /** The stored connections. */
  async connections(): Promise<ConnectionStore> {
    return new ConnectionStore(await this.stateDb());
  }

  /** The raw secret store (ciphertexts only): enough to tell whether a secret exists or to delete it, no key needed. */
  async secretStore(): Promise<MongoSecretStore> {
    return new MongoSecretStore((await this.mongo()).db(this.config.DYNSYNC_SECRETS_DB), this.config.DYNSYNC_SECRETS_COLLECTION);
  }

  /**
   * Encrypt/decrypt access to secrets. The key is checked before MongoDB is contacted: without
   * DYNSYNC_ENCRYPTION_KEY this is ENCRYPTION_KEY_MISSING (exit 2).
   */
  async sealedSecrets(): Promise<EncryptedSecrets> {
    const cipher = cipherFromConfig(this.config);
    return new EncryptedSecrets(cipher, await this.secretStore());
  }

  /**
   * The configuration for talking to Dataverse: the development switches are checked first (refused with
   * NODE_ENV=production, dev-switches.ts); with `warn` (`dynsync connect`, which admits an organisation and sends it the
   * client secret) one warning goes to stderr while any is set.
   */
  dataverseConfig(warn = false): CliConfig {
    const warning = checkDevSwitches('dynsync', this.config);
    if (warn && warning !== undefined && !this.devWarned) {
      this.devWarned = true;
      this.io.err(`warning: ${warning}\n`);
    }
    return this.config;
  }

  /** Opens a stored connection (read-only Dataverse client with its OAuth provider); closed with the context. */
  async open(connectionId: string): Promise<OpenConnection> {
    const config = this.dataverseConfig();
    const secrets = await this.sealedSecrets();
    const connection = await (await this.connections()).get(connectionId);
    const open = await openConnection(connection, { config, secrets, log: this.log });
    this.onClose(() => open.close());
    return open;
  }

  /**
   * A kafkajs client with short retries (a CLI should fail, not hang, when Kafka is down). Failures surface as
   * errors; kafkajs' own log lines reach stderr only at LOG_LEVEL debug or trace.
   */
  kafka(): Kafka {
    const verbose = this.config.LOG_LEVEL === 'debug' || this.config.LOG_LEVEL === 'trace';
    const access = this.kafkaAccess();
    return createKafka('dynsync-cli', this.config.KAFKA_BROKERS, verbose ? this.log : undefined, { ...access.client, retry: { initialRetryTime: 200, retries: 4 }, connectionTimeout: 5_000 });
  }

  /** TLS and SASL to Kafka (KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_*, KAFKA_CA_PATH), checked and read once. */
  kafkaAccess(): KafkaAccess {
    this.access ??= kafkaAccess('dynsync', this.config);
    return this.access;
  }

  /** Registers a clean-up run by {@link CliContext.close} (last registered, first run). */
  onClose(fn: () => Promise<unknown>): void {
    this.closers.push(fn);
  }

  /** Releases everything; never throws. */
  async close(): Promise<void> {
    for (const fn of this.closers.splice(0).reverse()) await fn().catch(() => undefined);
  }
}

/** A CLI command: its spec (parsing and `--help`) and what it does. Resolves to the exit code (default 0). */
export interface CliCommand {
  readonly spec: CommandSpec;
  run(ctx: CliContext, argv: readonly string[]): Promise<number | void>;
}
