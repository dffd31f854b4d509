import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('./heap-churn.fixture.ts', import.meta.url));
/** Full collections of the churn fixture in a process with the services' heap limits and `percent`. */
const fullCollections = (percent: number) =>
  Number(execFileSync(process.execPath, ['--max-old-space-size=192', '--max-semi-space-size=8', fixture, String(percent)], { encoding: 'utf8' }).trim());

describe('applyHeapGrowingPercent', () => {
  it('200 % lets the old generation grow to 3× its live size: far fewer full collections than V8 own factor under the services heap limit', () => {
    const own = fullCollections(0);
    const grown = fullCollections(200);
    expect(own).toBeGreaterThan(10);
    expect(grown).toBeLessThan(own / 2);
  }, 30_000);
});
