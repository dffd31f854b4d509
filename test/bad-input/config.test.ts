/**
 * Bad input, group 5: invalid environment values. Every service's config loader refuses them with CONFIG_INVALID
 * naming the variable (pure, cheap); then each service started as a real process with a bad value stops at once,
 * non-zero, with the variable's name on its output and without echoing the value.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isSyncError, type SyncError } from '../../services/shared/errors.ts';
import { loadCoordinatorConfig } from '../../services/coordinator/config.ts';
import { loadExtractorConfig } from '../../services/extractor/config.ts';
import { loadLoaderConfig } from '../../services/loader/config.ts';
import { loadCliConfig } from '../../services/cli/config.ts';
import { loadSimulatorConfig } from '../../services/simulator/config.ts';
import { parseEncryptionKey } from '../../services/dataverse/secrets/encryption-key.ts';
import { startService } from '../../harness/service-process.ts';
import { runDynsync } from '../cli/cli-harness.ts';
import { servers } from '../support/servers.ts';

type Loader = (env: Record<string, string | undefined>) => unknown;
const LOADERS: Record<string, Loader> = {
  coordinator: loadCoordinatorConfig,
  extractor: loadExtractorConfig,
  loader: loadLoaderConfig,
  dynsync: loadCliConfig,
  simulator: (env) => loadSimulatorConfig([], env),
};

function configError(load: Loader, env: Record<string, string | undefined>): SyncError {
  try {
    load(env);
  } catch (err) {
    if (isSyncError(err, 'CONFIG_INVALID')) return err;
    throw err;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

describe('bad configuration: config loaders', () => {
  it.each<[string, string, string, RegExp]>([
    ['coordinator', 'KAFKA_BROKERS', 'kafka-without-port', /KAFKA_BROKERS \(item 1\): expected host:port/],
    ['coordinator', 'COORDINATOR_OPS_PORT', '70000', /COORDINATOR_OPS_PORT: Too big/],
    ['coordinator', 'MONGODB_URI', 'postgres://db', /MONGODB_URI: expected a mongodb:\/\/ URI/],
    ['coordinator', 'COORDINATOR_MIN_WINDOW_MS', '1500', /COORDINATOR_MIN_WINDOW_MS: .*multiple of 1000/],
    ['extractor', 'SCHEMA_REGISTRY_URL', 'ftp://registry', /SCHEMA_REGISTRY_URL: Invalid URL/],
    ['extractor', 'EXTRACTOR_OPS_PORT', 'ops', /EXTRACTOR_OPS_PORT: Invalid input: expected number/],
    ['extractor', 'EXTRACTOR_CONNECTIONS', '(unclosed', /EXTRACTOR_CONNECTIONS: not a valid regular expression/],
    ['extractor', 'DATAVERSE_PAGE_SIZE', '10000', /DATAVERSE_PAGE_SIZE: Too big/],
    ['loader', 'LOADER_OPS_PORT', '-1', /LOADER_OPS_PORT: Too small/],
    ['loader', 'KAFKA_BROKERS', '127.0.0.1:9092, ,host', /KAFKA_BROKERS \(item 2\): expected host:port/],
    ['loader', 'DYNSYNC_DATABASE_PREFIX', 'a.b', /DYNSYNC_DATABASE_PREFIX: letters, digits, _ and - only/],
    ['coordinator', 'COORDINATOR_DATABASE_PREFIX', 'x_', /COORDINATOR_DATABASE_PREFIX: renamed to DYNSYNC_DATABASE_PREFIX/],
    ['dynsync', 'MONGODB_URI', 'http://127.0.0.1:27017', /MONGODB_URI: expected a mongodb:\/\/ URI/],
    ['dynsync', 'DYNSYNC_STATE_DB', 'state/db', /DYNSYNC_STATE_DB: /],
    ['simulator', 'SIM_PORT', '65536', /SIM_PORT: Too big/],
  ])('%s: %s=%s names the variable', (service, variable, value, reason) => {
    const err = configError(LOADERS[service]!, { [variable]: value });
    expect(err.message).toMatch(reason);
    expect(err.message).toContain(`${service}: invalid configuration (1 problem); fix these environment variables:`);
    expect(err.details.variables).toEqual([variable]);
  });

  it('an empty variable means its default, never port 0 (any port) or an empty broker list', () => {
    const c = loadCoordinatorConfig({ COORDINATOR_OPS_PORT: '', KAFKA_BROKERS: ' ' });
    expect(c.COORDINATOR_OPS_PORT).toBe(9101);
    expect(c.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
  });

  it.each([
    ['unset', undefined, /no encryption key configured: set DYNSYNC_ENCRYPTION_KEY to 32 random bytes/],
    ['too short', randomBytes(16).toString('base64'), /not 32 bytes of base64 or hex: set DYNSYNC_ENCRYPTION_KEY/],
    ['not base64', 'x'.repeat(44), /not 32 bytes of base64 or hex/],
  ])('DYNSYNC_ENCRYPTION_KEY %s is ENCRYPTION_KEY_MISSING with the fix and without the value', (_name, raw, reason) => {
    try {
      parseEncryptionKey(raw);
      throw new Error('accepted');
    } catch (err) {
      expect(isSyncError(err, 'ENCRYPTION_KEY_MISSING')).toBe(true);
      expect((err as Error).message).toMatch(reason);
      if (raw) expect((err as Error).message).not.toContain(raw);
    }
  });
});

describe('bad configuration: processes refuse to start', () => {
  const base = () => ({ KAFKA_BROKERS: servers.brokers().join(','), SCHEMA_REGISTRY_URL: servers.registryUrl(), MONGODB_URI: servers.mongoUri() });
  const stderrOf = async (name: string, env: Record<string, string>) => {
    const p = startService(name, { ...base(), ...env });
    let err = '';
    p.child.stderr!.on('data', (c: string) => (err += c));
    const code = await p.kill('SIGCONT'); // no-op signal: just wait for the exit
    return { code, out: err + p.logs.map((l) => JSON.stringify(l)).join('\n') };
  };

  it.each<[string, Record<string, string>, string, string]>([
    ['coordinator', { COORDINATOR_OPS_PORT: '99999' }, 'COORDINATOR_OPS_PORT', '99999'],
    ['extractor', { KAFKA_BROKERS: 'kafka.internal' }, 'KAFKA_BROKERS', 'kafka.internal'],
    ['loader', { MONGODB_URI: 'mysql://secret-host' }, 'MONGODB_URI', 'secret-host'],
  ])('%s with a bad %s exits 2 naming it', async (name, env, variable, value) => {
    const { code, out } = await stderrOf(name, env);
    expect(code).toBe(2); // a configuration error: exit 2, no stack trace
    expect(out).toContain('CONFIG_INVALID');
    expect(out).toMatch(new RegExp(`\\n  ${variable}( \\(item \\d+\\))?: `));
    expect(out).not.toContain(value);
  });

  it('the extractor refuses a too short DYNSYNC_ENCRYPTION_KEY, naming the variable', async () => {
    const key = randomBytes(16).toString('base64');
    const { code, out } = await stderrOf('extractor', { DYNSYNC_ENCRYPTION_KEY: key, EXTRACTOR_OPS_PORT: '0', EXTRACTOR_GROUP_ID: `bad-key-${randomBytes(3).toString('hex')}` });
    expect(code).not.toBe(0);
    expect(out).toContain('ENCRYPTION_KEY_MISSING');
    expect(out).toContain('set DYNSYNC_ENCRYPTION_KEY to 32 random bytes');
    expect(out).not.toContain(key);
  });

  it('dynsync with a bad MONGODB_URI exits 2 naming it', async () => {
    const r = await runDynsync(['connections', 'list'], { MONGODB_URI: 'redis://cache' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error [CONFIG_INVALID]');
    expect(r.stderr).toContain('MONGODB_URI: expected a mongodb:// URI');
  });
});
