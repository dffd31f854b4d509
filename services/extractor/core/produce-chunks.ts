/**
 * Cuts a page's messages into produce requests: at most `maxCount` messages and about `maxBytes` of key + value
 * per request, so no partition's record batch can exceed the broker's `message.max.bytes` (1 MiB by default).
 * A single message larger than `maxBytes` goes alone. Order is kept. Pure.
 */

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
