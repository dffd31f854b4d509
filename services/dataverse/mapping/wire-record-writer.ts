/**
 * Writes table records in the Confluent wire format (magic byte 0, the 4-byte big-endian schema id, the Avro
 * body) without an allocation or copy per record: the records of a batch are encoded one after the other into
 * shared chunk buffers, and each value is a view of its chunk (freed once every record in it is gone).
 *
 * Why not `SchemaRegistry.encode(id, value)` per record: it is async, looks the schema up, and allocates twice per
 * record (avsc `toBuffer`, then a concat with the header); the library has no batch or into-a-buffer encoder and
 * does not export its header writer. And the records come from `rowMapper(..., { representation: 'wire' })`,
 * already in the underlying Avro representation (decimal bytes, epoch ms, days), so the Type here is parsed
 * WITHOUT logical types: decimals are checked and converted once (by the mapper) instead of three times (mapper,
 * avsc's union branch check, write). The bytes are those the logical-type Type writes for the `js` representation
 * (tested in wire-record-writer.test.ts), so consumers decode them with the registry and `avroLogicalTypes`.
 */
import avro from 'avsc';
import { SyncError } from '../../shared/errors.ts';
import type { AvroRecordSchema } from './avro-schema.ts';
import { exactLongTypeHook } from '../../shared/avro-exact-long.ts';
import type { AvroRecord } from './row-mapper.ts';

/** Bytes before the Avro body: magic byte 0 and the schema id. */
export const WIRE_HEADER_BYTES = 5;

/** First chunk of a batch; each next one doubles, up to the writer's largest chunk. */
const FIRST_CHUNK_BYTES = 64 * 1024;
/** Default largest chunk. */
const DEFAULT_MAX_CHUNK_BYTES = 1 << 20;

/** Writes records of one batch (e.g. one page) into chunks that are freed with the last record using them. */
export interface WireBatch {
  /**
   * The wire bytes of `record` (values in the `wire` representation of the row mapper): a view of a chunk, never
   * written again. A value that does not fit the schema is RECORD_INVALID (the batch stays usable).
   */
  write(record: AvroRecord): Buffer;
}

/**
 * Encodes records of one schema (registered under `schemaId`) in the Confluent wire format. Holds the compiled
 * Type only: memory for records belongs to the batches, so a cached writer keeps no buffer alive.
 */
export class WireRecordWriter {
  private readonly type: avro.Type;
  private readonly schemaId: number;
  private readonly maxChunkBytes: number;

  /** `schema` as registered (logical-type attributes are kept in the schema and ignored for writing). */
  constructor(schema: AvroRecordSchema, schemaId: number, maxChunkBytes = DEFAULT_MAX_CHUNK_BYTES) {
    if (!Number.isInteger(schemaId) || schemaId < 0 || schemaId > 0x7fffffff) throw new SyncError('INTERNAL', `invalid schema id ${schemaId}`);
    // a fresh options object: avsc keeps named types in it (see logical-types.ts); longs are exact (shared/avro-exact-long.ts)
    this.type = avro.Type.forSchema(schema as avro.Schema, { typeHook: exactLongTypeHook });
    this.schemaId = schemaId;
    this.maxChunkBytes = maxChunkBytes;
  }

  /** A new batch; its chunks grow from 64 KiB to the largest chunk size. */
  batch(): WireBatch {
    let chunk: Buffer | null = null;
    let pos = 0;
    let nextSize = Math.min(FIRST_CHUNK_BYTES, this.maxChunkBytes);
    const fresh = (atLeast: number): Buffer => {
      const size = Math.max(nextSize, atLeast);
      nextSize = Math.min(nextSize * 2, this.maxChunkBytes);
      pos = 0;
      return (chunk = Buffer.allocUnsafeSlow(size));
    };
    return {
      write: (record) => {
        let buf = chunk ?? fresh(0);
        let end = this.encodeAt(record, buf, pos);
        if (end < 0) {
          // the chunk is full: continue in a new one; a record larger than a chunk gets a buffer of its own size
          buf = fresh(0);
          end = this.encodeAt(record, buf, 0);
          if (end < 0) {
            buf = fresh(buf.length - end);
            end = this.encodeAt(record, buf, 0);
            if (end < 0) throw new SyncError('INTERNAL', 'an Avro record did not fit a buffer of its own size');
          }
        }
        const out = buf.subarray(pos, end);
        pos = end;
        return out;
      },
    };
  }

  /** Writes header + body at `pos`; the end position, or a negative number when `buf` is too small. */
  private encodeAt(record: AvroRecord, buf: Buffer, pos: number): number {
    if (buf.length - pos < WIRE_HEADER_BYTES + 1) return -(WIRE_HEADER_BYTES + 1);
    buf[pos] = 0;
    buf.writeInt32BE(this.schemaId, pos + 1);
    try {
      return this.type.encode(record, buf, pos + WIRE_HEADER_BYTES);
    } catch (err) {
      const paths: string[] = [];
      this.type.isValid(record, { errorHook: (path) => paths.push(path.join('.')) });
      throw new SyncError('RECORD_INVALID', `record does not match schema ${this.schemaId}${paths.length > 0 ? ` at ${paths.join(', ')}` : ''}`, { cause: err });
    }
  }
}
