/**
 * Cuts a page's messages into produce requests: at most `maxCount` messages and about `maxBytes` of record bytes
 * (key, value, headers and each record's framing, {@link recordBytes}) per request, so no partition's record batch
 * can exceed the broker's `message.max.bytes` (1 MiB by default) even when the whole request lands in one
 * partition. A single message larger than `maxBytes` goes alone. Order is kept. Pure.
 */

/** Upper bound of a record's framing in a Kafka record batch (length, attributes, deltas, header count varints). */
export const RECORD_OVERHEAD_BYTES = 32;

/** What a record adds to a record batch, about: key, value and header names and values (strings count as ASCII, the header values we write are), plus framing. */
export function recordBytes(r: { key: string; value: Buffer | null; headers: Record<string, Buffer | string> }): number {
  let n = RECORD_OVERHEAD_BYTES + r.key.length + (r.value?.length ?? 0);
  for (const name in r.headers) n += name.length + r.headers[name]!.length + 2;
  return n;
}

/** Splits `items` in order into chunks bounded by count and by the summed `sizeOf`. */
export function produceChunks<T>(items: readonly T[], sizeOf: (item: T) => number, maxBytes: number, maxCount: number): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (current.length > 0 && (current.length >= maxCount || bytes + size > maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
