/** A small seeded PRNG (mulberry32) so the suite's random kill points reproduce from FAULT_SEED. */

/** Returns a generator of floats in [0, 1) determined by `seed`. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A float in [min, max) from `rnd`. */
export const between = (rnd: () => number, min: number, max: number): number => min + (max - min) * rnd();
