/**
 * Apicurio Registry 3.x, Confluent-compatible API at /apis/ccompat/v7. Global compatibility BACKWARD is set
 * as a start-up property: that is what Apicurio reports for subjects without their own rule, which
 * @kafkajs/confluent-schema-registry checks before registering (stack-facts §2.4-2.5). Storage is a file-backed
 * H2 database in the run directory, so schema ids survive a restart (records in Kafka reference them).
 * Apicurio 3.3 is compiled for Java 21: a Java 21+ runtime is looked up (APICURIO_JAVA, JAVA_HOME, /usr/lib/jvm).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, ports, runDir } from '../settings.ts';
import { versions } from '../versions.ts';
import { findJava } from '../java.ts';
import type { LocalServer } from './server.ts';

const dir = runDir('apicurio');
const home = () => join(cacheDir, `apicurio-${versions.APICURIO_VERSION}`);

/** The Apicurio server definition. */
export const apicurio: LocalServer = {
  name: 'apicurio',
  label: `Apicurio Registry ${versions.APICURIO_VERSION}`,
  port: ports.registry,
  dir,
  startTimeoutMs: 120_000,
  async prepare() {
    mkdirSync(join(dir, 'data'), { recursive: true });
  },
  launch() {
    return {
      command: findJava(21, 'APICURIO_JAVA'),
      args: [
        '-Xms128m', '-Xmx512m', '-XX:TieredStopAtLevel=1',
        '-Dquarkus.http.host=127.0.0.1', `-Dquarkus.http.port=${ports.registry}`,
        '-Dquarkus.management.host=127.0.0.1', `-Dquarkus.management.port=${ports.registryManagement}`,
        '-Dapicurio.rules.global.compatibility=BACKWARD',
        `-Dapicurio.datasource.url=jdbc:h2:file:${join(dir, 'data', 'registry')}`,
        '-Dquarkus.log.level=WARN', '-Dquarkus.http.access-log.enabled=false', '-Dquarkus.log.category."io.apicurio".level=WARN',
        '-Dapicurio.dynamic-dir=' + dir + '/marker',
        '-jar', join(home(), 'quarkus-run.jar'),
      ],
      cwd: dir,
      marker: 'apicurio.dynamic-dir=' + dir,
    };
  },
  async healthy() {
    try {
      const res = await fetch(`http://127.0.0.1:${ports.registryManagement}/health/ready`, { signal: AbortSignal.timeout(2000) });
      if (!res.ok) return false;
      const api = await fetch(`http://127.0.0.1:${ports.registry}/apis/ccompat/v7/subjects`, { signal: AbortSignal.timeout(2000) });
      return api.ok;
    } catch {
      return false;
    }
  },
};
