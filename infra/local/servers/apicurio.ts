/**
 * Apicurio Registry 3.x, Confluent-compatible API at /apis/ccompat/v7. Global compatibility BACKWARD is set
 * as a start-up property: that is what Apicurio reports for subjects without their own rule, which
 * @kafkajs/confluent-schema-registry checks before registering (stack-facts §2.4-2.5). Storage is a file-backed
 * H2 database in the run directory, so schema ids survive a restart (records in Kafka reference them).
 * Apicurio 3.3 is compiled for Java 21: a Java 21+ runtime is looked up (APICURIO_JAVA, JAVA_HOME, /usr/lib/jvm).
 *
 * Authenticated: HTTP basic authentication (Apicurio 3.3 reads `quarkus.http.auth.basic` at run time and its build
 * enables Quarkus's embedded user store) with one user, `dynsync`, role `sr-admin`; its password is stored as Quarkus's
 * digest (MD5 of user:realm:password) in `config/application.properties` (mode 0600) of the run directory, which
 * Quarkus reads from its working directory, so no secret is on the command line. The management port (health) stays
 * open on loopback.
 */
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, ports, REGISTRY_USER, registryPasswordFile, runDir, secured } from '../settings.ts';
import { ensurePassword } from '../security.ts';
import { versions } from '../versions.ts';
import { findJava } from '../java.ts';
import type { LocalServer } from './server.ts';

const dir = runDir('apicurio');
const home = () => join(cacheDir, `apicurio-${versions.APICURIO_VERSION}`);

const registryPassword = () => ensurePassword(registryPasswordFile(REGISTRY_USER));

/** Basic authentication with the embedded user store: one admin user, its password as Quarkus's MD5 digest. */
function authProperties(): string {
  const digest = createHash('md5').update(`${REGISTRY_USER}:Quarkus:${registryPassword()}`).digest('hex');
  return `quarkus.http.auth.basic=true
quarkus.security.users.embedded.enabled=true
quarkus.security.users.embedded.plain-text=false
quarkus.security.users.embedded.algorithm=digest-md5
quarkus.security.users.embedded.realm-name=Quarkus
quarkus.security.users.embedded.users.${REGISTRY_USER}=${digest}
quarkus.security.users.embedded.roles.${REGISTRY_USER}=sr-admin
apicurio.authn.mechanism.priority=basic
apicurio.auth.role-based-authorization=true
apicurio.auth.role-source=token
`;
}

/** The Apicurio server definition. */
export const apicurio: LocalServer = {
  name: 'apicurio',
  label: `Apicurio Registry ${versions.APICURIO_VERSION}`,
  port: ports.registry,
  dir,
  startTimeoutMs: 120_000,
  async prepare() {
    mkdirSync(join(dir, 'data'), { recursive: true });
    mkdirSync(join(dir, 'config'), { recursive: true, mode: 0o700 });
    const file = join(dir, 'config', 'application.properties');
    writeFileSync(file, secured ? authProperties() : '', { mode: 0o600 });
    chmodSync(file, 0o600);
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
      const headers: Record<string, string> = secured ? { authorization: `Basic ${Buffer.from(`${REGISTRY_USER}:${registryPassword()}`).toString('base64')}` } : {};
      const api = await fetch(`http://127.0.0.1:${ports.registry}/apis/ccompat/v7/subjects`, { headers, signal: AbortSignal.timeout(2000) });
      return api.ok;
    } catch {
      return false;
    }
  },
};
