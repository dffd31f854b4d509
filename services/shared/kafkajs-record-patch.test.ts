/**
 * `patches/kafkajs+2.2.4.patch` (applied by `patch-package` on install) replaces kafkajs's per-record encoder with
 * one that writes each record into one exactly-sized buffer, and its JavaScript CRC-32C of a record batch with a
 * native one. These tests hold them to the bytes and checksums kafkajs's own code produces for the Kafka record
 * format v2, and fail when the patch is not applied.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
type HeaderValue = string | Buffer;
interface RecordInput {
  key?: string | Buffer | null;
  value?: string | Buffer | null;
  headers?: Record<string, HeaderValue | HeaderValue[]>;
  offsetDelta?: number;
  timestampDelta?: number;
}
interface EncoderLike {
  buffer: Buffer;
  size(): number;
  writeInt8(v: number): EncoderLike;
  writeVarInt(v: number): EncoderLike;
  writeVarLong(v: number): EncoderLike;
  writeVarIntBytes(v: unknown): EncoderLike;
  writeVarIntString(v: string): EncoderLike;
  writeEncoder(e: EncoderLike): EncoderLike;
}
const Encoder = require('kafkajs/src/protocol/encoder') as new () => EncoderLike;
const patchedRecord = require('kafkajs/src/protocol/recordBatch/record/v0') as (r: RecordInput) => EncoderLike;
const patchedCrc = require('kafkajs/src/protocol/recordBatch/crc32C') as (b: Buffer) => number;
/** kafkajs's own byte-at-a-time CRC-32C, which the patch leaves in place but no longer calls. */
const javascriptCrc = require('kafkajs/src/protocol/recordBatch/crc32C/crc32C') as (b: Buffer) => number;

/** The record as kafkajs 2.2.4 encodes it unpatched (its `record/v0` and `header/v0`, on the Encoder's methods). */
function reference({ key, value, headers = {}, offsetDelta = 0, timestampDelta = 0 }: RecordInput): Buffer {
  const pairs = Object.entries(headers).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x] as const) : [[k, v] as const]));
  const body = new Encoder().writeInt8(0).writeVarLong(timestampDelta).writeVarInt(offsetDelta).writeVarIntBytes(key).writeVarIntBytes(value).writeVarInt(pairs.length);
  for (const [k, v] of pairs) body.writeVarIntString(k).writeVarIntBytes(v);
  return new Encoder().writeVarInt(body.size()).writeEncoder(body).buffer;
}

const cases: [string, RecordInput][] = [
  ['string key, Buffer value, headers', { key: 'abc', value: Buffer.from('hello'), headers: { a: 'x', b: Buffer.from([1, 2, 3]) } }],
  ['null key and value, no headers', { key: null, value: null }],
  ['empty key, multi-byte UTF-8 value, repeated header', { key: Buffer.alloc(0), value: 'é ünïcode ✓ 𝄞', headers: { multi: ['1', '2', 'ü'] } }],
  ['70 KB value, long header, big offset delta, negative timestamp delta', { key: 'k', value: Buffer.alloc(70_000, 7), headers: { 'run-id': 'r'.repeat(300) }, offsetDelta: 123_456, timestampDelta: -5 }],
  ['timestamp delta beyond 32 bits (the unpatched path)', { key: 'k', value: 'v', offsetDelta: 3, timestampDelta: 2 ** 40 }],
  ['the six dynsync record headers', { key: '5a4e1f7c-0000-4000-8000-000000000001', value: Buffer.alloc(2100, 1), headers: { 'run-id': 'r', 'task-id': 't', 'sync-kind': 'full', 'run-start': '1', 'source-modifiedon': '2', 'source-version': '3' }, offsetDelta: 999 }],
];

describe('kafkajs record encoding (patched)', () => {
  it('is the patched encoder (npm install runs patch-package)', () => {
    expect(readFileSync(require.resolve('kafkajs/src/protocol/recordBatch/record/v0'), 'utf8')).toContain('dynsync patch');
  });

  it.each(cases)('%s: same bytes as kafkajs', (_name, input) => {
    const encoded = patchedRecord(input);
    expect(encoded.buffer.equals(reference(input))).toBe(true);
    expect(encoded.size()).toBe(encoded.buffer.length);
  });

  it('same bytes over varied sizes and offsets (varint boundaries)', () => {
    for (let i = 0; i < 300; i++) {
      const input: RecordInput = { key: `id-${i}`, value: Buffer.alloc(i * 37, i), headers: { h: 'v'.repeat(i) }, offsetDelta: i * 1000, timestampDelta: i - 150 };
      expect(patchedRecord(input).buffer.equals(reference(input)), `record ${i}`).toBe(true);
    }
  });
});

describe('kafkajs record batch checksum (patched)', () => {
  it('is the native CRC-32C', () => {
    expect(readFileSync(require.resolve('kafkajs/src/protocol/recordBatch/crc32C'), 'utf8')).toContain("require('@node-rs/crc32')");
  });

  it.each([
    ['empty', Buffer.alloc(0), 0],
    ['"123456789" (the CRC-32C check value)', Buffer.from('123456789'), 0xe3069283],
  ])('%s: %s', (_name, bytes, expected) => expect(patchedCrc(bytes)).toBe(expected));

  it('equals kafkajs\'s JavaScript CRC-32C over varied sizes and contents, as an unsigned 32-bit number', () => {
    for (let n = 1; n < 70_000; n = Math.ceil(n * 1.7)) {
      const bytes = Buffer.alloc(n);
      for (let i = 0; i < n; i++) bytes[i] = (i * 2654435761 + n) >>> 24;
      expect(patchedCrc(bytes), `${n} bytes`).toBe(javascriptCrc(bytes));
      expect(patchedCrc(bytes.subarray(1)), `${n - 1} bytes at an offset`).toBe(javascriptCrc(bytes.subarray(1)));
    }
  });
});
