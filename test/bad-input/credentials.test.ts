/**
 * Bad input, group 2: wrong or expired credentials through the real `dynsync` process against the simulator.
 * Each failure exits non-zero with a code and a message that says what to fix, stores nothing (or leaves the
 * working connection exactly as it was), and never prints a secret. Expiry of access tokens in the middle of a
 * run is in pipeline.test.ts.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { runDynsync, type CliResult } from '../cli/cli-harness.ts';
import { env, fx, state, useCliFixture } from '../cli/cli-fixture.ts';
import { uniqueName } from '../support/servers.ts';
import { findSecrets } from './secret-scan.ts';

useCliFixture(20);
const outputs: string[] = [];
const wrongSecret = `wrong-${randomBytes(12).toString('hex')}`;

const connectArgs = (name: string, over: { tenant?: string; clientId?: string } = {}, extra: string[] = []) => [
  'connect', '--name', name, '--org', fx.sim.orgUrl, '--tenant', over.tenant ?? fx.sim.tenantId, '--client-id', over.clientId ?? fx.sim.clientId, '--client-secret-stdin', ...extra,
];
const dynsync = async (args: string[], e: Record<string, string | undefined>, stdin?: string): Promise<CliResult> => {
  const r = await runDynsync(args, e, stdin);
  outputs.push(r.stdout, r.stderr);
  return r;
};
const stored = async (name: string) => ({
  connection: await state().collection('connections').findOne({ _id: name as never }),
  secrets: await state().collection('secrets').find({ connectionId: name }).sort({ _id: 1 }).toArray(),
});
const name = () => uniqueName('cred').replace('-', '');

describe('credentials: dynsync connect refuses and stores nothing', () => {
  it.each<[string, () => { args: string[]; stdin: string; env?: Record<string, string | undefined> }, number, RegExp]>([
    ['a wrong client secret', () => ({ args: connectArgs(name()), stdin: wrongSecret }), 2, /error \[AUTH_INVALID_CLIENT\]: .*check the client secret of app/],
    ['an unknown client id', () => ({ args: connectArgs(name(), { clientId: randomUUID() }), stdin: fx.sim.clientSecret }), 2, /error \[AUTH_INVALID_CLIENT\]: .*AADSTS700016/],
    ['DYNSYNC_ENCRYPTION_KEY unset', () => ({ args: connectArgs(name()), stdin: fx.sim.clientSecret, env: { DYNSYNC_ENCRYPTION_KEY: undefined } }), 2, /error \[ENCRYPTION_KEY_MISSING\]: no encryption key configured: set DYNSYNC_ENCRYPTION_KEY/],
    ['DYNSYNC_ENCRYPTION_KEY too short', () => ({ args: connectArgs(name()), stdin: fx.sim.clientSecret, env: { DYNSYNC_ENCRYPTION_KEY: randomBytes(16).toString('base64') } }), 2, /error \[ENCRYPTION_KEY_MISSING\]: .*not 32 bytes .*set DYNSYNC_ENCRYPTION_KEY/],
  ])('%s: refused with a clear message, nothing stored', async (_case, make, code, message) => {
    await refusedAndNothingStored(make(), code, message);
  });

  it('a wrong tenant: exit 2, AUTH_INVALID_CLIENT naming the tenant, nothing stored', async () => {
    await refusedAndNothingStored({ args: connectArgs(name(), { tenant: randomUUID() }), stdin: fx.sim.clientSecret }, 2, /error \[AUTH_INVALID_CLIENT\]: .*tenant .* was not found/);
  });

  async function refusedAndNothingStored(c: { args: string[]; stdin: string; env?: Record<string, string | undefined> }, code: number, message: RegExp): Promise<void> {
    const id = c.args[2]!;
    const r = await dynsync(c.args, { ...env, ...c.env }, c.stdin);
    expect(r.code, r.stderr).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(findSecrets(r.stdout + r.stderr, [wrongSecret, fx.sim.clientSecret, env.DYNSYNC_ENCRYPTION_KEY!, ...(c.env?.DYNSYNC_ENCRYPTION_KEY ? [c.env.DYNSYNC_ENCRYPTION_KEY] : [])])).toEqual([]);
    expect(await stored(id)).toEqual({ connection: null, secrets: [] });
  }
});

describe('credentials: a working connection survives bad credentials', () => {
  const good = uniqueName('good').replace('-', '');
  const deleg = uniqueName('deleg').replace('-', '');

  beforeAll(async () => {
    expect((await dynsync(connectArgs(good), env, fx.sim.clientSecret)).code).toBe(0);
    expect((await dynsync(connectArgs(deleg, {}, ['--auto-consent']), env, fx.sim.clientSecret)).code).toBe(0);
  });

  it('a failed reconnect with a wrong secret leaves the stored connection and its sealed secret untouched', async () => {
    const before = await stored(good);
    const r = await dynsync(connectArgs(good), env, wrongSecret);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error [AUTH_INVALID_CLIENT]');
    expect(await stored(good)).toEqual(before);
    expect(JSON.stringify(before.secrets)).not.toContain(fx.sim.clientSecret); // sealed at rest
    expect((await dynsync(['tables', good, '--table', 'account', '--json'], env)).code).toBe(0);
  });

  it('another encryption key cannot read the stored secrets: CONFIG_INVALID naming the key, nothing changed', async () => {
    const before = await stored(good);
    const otherKey = randomBytes(32).toString('base64');
    const r = await dynsync(['tables', good, '--table', 'account'], { ...env, DYNSYNC_ENCRYPTION_KEY: otherKey });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error \[CONFIG_INVALID\]: cannot decrypt secret .*the encryption key .*does not match.*restore the DYNSYNC_ENCRYPTION_KEY/);
    expect(findSecrets(r.stderr, [otherKey, env.DYNSYNC_ENCRYPTION_KEY!])).toEqual([]);
    expect(await stored(good)).toEqual(before);
  });

  it('a revoked refresh token (and expired access token): AUTH_CONSENT_REVOKED telling to reconnect; the connection is kept', async () => {
    await fx.control('POST', '/revoke', { accessTokens: true, refreshTokens: true });
    const r = await dynsync(['tables', deleg, '--table', 'account'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error \[AUTH_CONSENT_REVOKED\]: .*dynsync connect/);
    expect((await stored(deleg)).connection).not.toBeNull();
    // the client-credentials connection just acquires a new token
    expect((await dynsync(['tables', good, '--table', 'account', '--json'], env)).code).toBe(0);
  });

  it('no secret or token appears in any output of this file, and Dataverse saw no write', async () => {
    expect(findSecrets(outputs.join('\n'), [fx.sim.clientSecret, wrongSecret, env.DYNSYNC_ENCRYPTION_KEY!])).toEqual([]);
    expect((await fx.control<{ count: number }>('GET', '/non-get')).count).toBe(0);
  });
});
