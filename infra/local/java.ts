/**
 * Finds a Java runtime of at least a given major version: `$<OVERRIDE_VAR>` (a path to `java`), then
 * `$JAVA_HOME/bin/java`, then `java` on PATH, then every JDK under /usr/lib/jvm (where the machines keep a
 * second Temurin JDK). Apicurio 3.3 is compiled for Java 21; Kafka 4.x needs 17.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

function majorOf(java: string): number | undefined {
  const run = spawnSync(java, ['-version'], { encoding: 'utf8' });
  return run.error ? undefined : parseMajor(`${run.stdout}${run.stderr}`);
}

function parseMajor(text: string): number | undefined {
  const m = /version "(\d+)(?:\.(\d+))?/.exec(text);
  if (!m) return undefined;
  const first = Number(m[1]);
  return first === 1 ? Number(m[2]) : first;
}

const cache = new Map<number, string>();

/** The path of a `java` binary of major version ≥ `min`; throws naming what to install when none is found. */
export function findJava(min: number, overrideVar: string): string {
  const hit = cache.get(min);
  if (hit) return hit;
  const candidates = [
    process.env[overrideVar],
    process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : undefined,
    'java',
    ...(existsSync('/usr/lib/jvm') ? readdirSync('/usr/lib/jvm').sort().reverse().map((d) => join('/usr/lib/jvm', d, 'bin', 'java')) : []),
  ].filter((c): c is string => !!c && (c === 'java' || existsSync(c)));
  for (const c of candidates) {
    const major = majorOf(c);
    if (major !== undefined && major >= min) {
      cache.set(min, c);
      return c;
    }
  }
  throw new Error(
    `no Java ${min}+ runtime found (tried ${candidates.join(', ') || 'nothing'}). Install one (e.g. Temurin ${min} or newer) ` +
      `and set ${overrideVar}=/path/to/bin/java or JAVA_HOME.`,
  );
}
