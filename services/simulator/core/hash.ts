/**
 * Deterministic hashing for the lazy generator: every generated value is a pure function of
 * (seed, table, column, row index), so a row can be rebuilt at any time without storing it.
 */

/** Final avalanche of murmur3: a well-mixed unsigned 32-bit value. */
export function mix32(value: number): number {
  let h = value | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hashes a string (FNV-1a, then mixed) with an optional 32-bit salt. */
export function hashString(text: string, salt = 0): number {
  let h = (0x811c9dc5 ^ salt) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

/** Combines two 32-bit hashes into one. */
export function combine(a: number, b: number): number {
  return mix32((a ^ Math.imul((b + 0x9e3779b9) | 0, 0x27d4eb2d)) | 0);
}

/** Hashes a non-negative integer index (up to 2^53) under a 32-bit base hash. */
export function hashIndex(base: number, index: number): number {
  const lo = index % 0x1_0000_0000;
  const hi = Math.floor(index / 0x1_0000_0000);
  return combine(combine(base, lo), hi);
}

/** The next value of a hash chain: use it to draw several numbers from one seed. */
export function next(h: number): number {
  return mix32((h + 0x6d2b79f5) | 0);
}

/** Maps a 32-bit hash to [0, 1). */
export function unit(h: number): number {
  return h / 0x1_0000_0000;
}

/** Maps a 32-bit hash to an integer in [min, max] (inclusive). */
export function between(h: number, min: number, max: number): number {
  return min + Math.floor(unit(h) * (max - min + 1));
}

/** Picks an element of a non-empty list. */
export function pick<T>(h: number, list: readonly T[]): T {
  const item = list[h % list.length];
  if (item === undefined) throw new RangeError('pick from an empty list');
  return item;
}

/** A seeded pseudo-random source for stateful callers (fault injection); deterministic for a given seed. */
export function seededRandom(seed: number): () => number {
  let state = mix32(seed);
  return () => {
    state = next(state);
    return unit(state);
  };
}
