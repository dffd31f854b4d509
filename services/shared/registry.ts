/**
 * The Confluent-compatible schema registry (Apicurio's /apis/ccompat/v7 locally) through
 * @kafkajs/confluent-schema-registry: Avro schemas registered under `<topic>-value` with BACKWARD compatibility,
 * values in the Confluent wire format (magic byte 0 + 4-byte schema id + Avro body), schema ids cached.
 * Registry failures are classified: incompatible or invalid schema → SCHEMA_INCOMPATIBLE (config: a human must
 * decide), unreachable → REGISTRY_UNAVAILABLE (transient).
 */
import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { Schema as AvscSchema } from 'avsc';
import { exactLongTypeHook } from './avro-exact-long.ts';
import { SyncError } from './errors.ts';
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

/** Turns a registry client error into the taxonomy; `what` names the subject or id involved. */
export function classifyRegistryError(err: unknown, what: string): SyncError {
  if (err instanceof SyncError) return err;
  const status = statusOf(err);
  const message = err instanceof Error ? err.message : String(err);
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

/** Creates a registry client for `url` (e.g. http://127.0.0.1:8080/apis/ccompat/v7). */
export function createRegistry(url: string, avroOptions: AvroOptions = {}): Registry {
  const client = new SchemaRegistry(
    { host: url, retry: { retries: 3, initialRetryTimeInSecs: 0.2, maxRetryTimeInSecs: 2 } },
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
