/** The pinned server versions of versions.env, read once (the same file provision.sh sources). */
import { readFileSync } from 'node:fs';

const parsed = Object.fromEntries(
  readFileSync(new URL('./versions.env', import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => /^[A-Z0-9_]+=/.test(l))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1).trim()]),
);

/** Pinned versions, e.g. `versions.KAFKA_VERSION`. */
export const versions = parsed as Record<
  'KAFKA_VERSION' | 'LOG4J_VERSION' | 'APICURIO_VERSION' | 'DEBIAN_SUITE' | 'POSTGRES_MAJOR' | 'DOCUMENTDB_VERSION' | 'FERRETDB_VERSION',
  string
>;
