/**
 * The `dynsync` CLI end to end, as child processes: both OAuth flows against the real simulator (HTTPS, its CA
 * trusted through DYNSYNC_DEV_CA_PATH only), connections in the real MongoDB-protocol store with sealed secrets,
 * and discovery output. Commands and the state views are sync-runs.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { uniqueName } from '../support/servers.ts';
import { runDynsync, withoutDevWarning } from './cli-harness.ts';
import { connectArgs, env, fx, state, useCliFixture } from './cli-fixture.ts';

interface Stats {
  requests: { tokenGrants: Record<string, number> };
}

const cc = uniqueName('cc');
const deleg = uniqueName('deleg');

const grants = async () => (await fx.control<Stats>('GET', '/stats')).requests.tokenGrants;

useCliFixture();

describe('dynsync connect', () => {
  it('refuses a URL outside Dataverse domains with ORG_URL_INVALID and exit code 2', async () => {
    const r = await runDynsync(['connect', '--name', 'x', '--org', 'https://org123.crm12.dynamics.com.evil.com/api?token=tok123', '--tenant', fx.sim.tenantId, '--client-id', 'c', '--client-secret-stdin'], env, 's3cret');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error [ORG_URL_INVALID]');
    expect(r.stderr).toContain('"org123.crm12.dynamics.com.evil.com" is not a Dataverse environment host');
    expect(r.stderr).toContain('for example https://org123.crm12.dynamics.com');
    expect(r.stderr).not.toContain('tok123'); // the input itself is never echoed
  });

  it('refuses to run without DYNSYNC_ENCRYPTION_KEY', async () => {
    const r = await runDynsync(connectArgs('nokey'), { ...env, DYNSYNC_ENCRYPTION_KEY: undefined }, fx.sim.clientSecret);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error [ENCRYPTION_KEY_MISSING]');
    expect(r.stderr).toContain('set DYNSYNC_ENCRYPTION_KEY');
    expect(await state().collection('connections').findOne({ _id: 'nokey' as never })).toBeNull();
  });

  it('a wrong client secret fails clearly, without the secret, and stores nothing', async () => {
    const wrong = `wrong-${randomBytes(6).toString('hex')}`;
    const name = uniqueName('wrong');
    const r = await runDynsync(connectArgs(name), env, wrong);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error [AUTH_INVALID_CLIENT]');
    expect(r.stderr).toContain(`check the client secret of app ${fx.sim.clientId} in tenant ${fx.sim.tenantId}`);
    expect(r.stdout + r.stderr).not.toContain(wrong);
    expect(await state().collection('connections').findOne({ _id: name as never })).toBeNull();
    expect(await state().collection('secrets').countDocuments({ connectionId: name })).toBe(0);
  });

  it('connects with client credentials, verifies with WhoAmI and stores the connection with its secret sealed', async () => {
    const r = await runDynsync(connectArgs(cc, ['--tables', 'account,contact', '--time-zone', 'Europe/Paris']), env, `${fx.sim.clientSecret}\n`);
    expect(r.stderr).toMatch(/^warning: DEVELOPMENT SWITCHES SET \(DYNSYNC_DEV_ORIGINS, DYNSYNC_DEV_AUTHORITY, DYNSYNC_DEV_CA_PATH\)/);
    expect(withoutDevWarning(r.stderr)).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Connected "${cc}" (client-credentials)`);
    expect(r.stdout).toMatch(/user id\s+[0-9a-f-]{36}/);
    expect(r.stdout).toMatch(/dop hint\s+8/);
    expect(r.stdout).toMatch(/clock skew\s+/);
    expect(r.stdout).toMatch(/client secret\s+sealed/);
    expect(r.stdout).not.toContain(fx.sim.clientSecret);

    const stored = await state().collection('connections').findOne({ _id: cc as never });
    expect(stored).toMatchObject({ orgUrl: fx.sim.orgUrl, flow: 'client-credentials', tables: ['account', 'contact'], schedule: { full: '0 2 * * *', incremental: '0 */2 * * *', timeZone: 'Europe/Paris' } });
    const sealed = await state().collection('secrets').find({ connectionId: cc }).toArray();
    expect(sealed.map((s) => s.name).sort()).toEqual(['client-secret', 'token-cache']);
    expect(JSON.stringify(sealed)).not.toContain(fx.sim.clientSecret);
    expect(JSON.stringify(sealed)).not.toMatch(/eyJ[A-Za-z0-9_-]{8,}\.eyJ/); // no JWT (a bare eyJ occurs in base64 by chance)
  });

  it('connects through the authorization-code flow (--auto-consent), printing the sign-in URL', async () => {
    const before = await grants();
    const r = await runDynsync(connectArgs(deleg, ['--auto-consent', '--json']), env, fx.sim.clientSecret);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`${fx.sim.orgUrl}/${fx.sim.tenantId}/oauth2/v2.0/authorize?`);
    expect(r.stderr).toContain('code_challenge_method=S256');
    const out = JSON.parse(r.stdout) as { connection: { flow: string }; account: { username: string }; whoAmI: { userId: string; dopHint: number }; clientSecret: string };
    expect(out).toMatchObject({ connection: { flow: 'delegated' }, account: { username: 'demo.user@contoso.test' }, whoAmI: { dopHint: 8 }, clientSecret: 'sealed' });
    expect(r.stdout + r.stderr).not.toContain(fx.sim.clientSecret);
    const after = await grants();
    expect((after['authorization_code:ok'] ?? 0) - (before['authorization_code:ok'] ?? 0)).toBe(1);
  });

  it('refuses --auto-consent for a real organisation URL', async () => {
    const r = await runDynsync(['connect', '--name', 'real', '--org', 'https://org123.crm12.dynamics.com', '--tenant', fx.sim.tenantId, '--client-id', 'c', '--client-secret-stdin', '--auto-consent'], env, 'x');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--auto-consent is for development only');
  });
});

describe('dynsync tables', () => {
  it('a second process reuses the stored refresh token: no new consent', async () => {
    const before = await grants();
    await fx.control('POST', '/revoke', { accessTokens: true }); // the cached access token is refused: refresh it
    const r = await runDynsync(['tables', deleg, '--table', 'account'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^account \(entity set accounts, key accountid; synced by this connection/m);
    const after = await grants();
    expect((after['refresh_token:ok'] ?? 0) - (before['refresh_token:ok'] ?? 0)).toBeGreaterThanOrEqual(1);
    expect((after['authorization_code:ok'] ?? 0) - (before['authorization_code:ok'] ?? 0)).toBe(0);
  });

  it('--json lists every simulator table with column types, Avro types and skipped columns', async () => {
    const r = await runDynsync(['tables', cc, '--json'], env);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      tables: { logicalName: string; selected: boolean; primaryIdAttribute: string; columns: { name: string; dataverseType: string; ourType: string; avroType: string }[]; skipped: { name: string; dataverseType: string; reason: string }[] }[];
    };
    const simTables = Object.keys(await fx.control<Record<string, unknown>>('GET', '/tables')).sort();
    expect(out.tables.map((t) => t.logicalName).sort()).toEqual(simTables);
    for (const t of out.tables) {
      expect(t.columns.find((c) => c.name === t.primaryIdAttribute)).toMatchObject({ dataverseType: 'UniqueidentifierType', ourType: 'string', avroType: 'uuid' });
      expect(t.columns.find((c) => c.name === 'modifiedon')).toMatchObject({ ourType: 'date', avroType: 'timestamp-millis' });
      expect(t.selected).toBe(t.logicalName === 'account' || t.logicalName === 'contact');
    }
    const account = out.tables.find((t) => t.logicalName === 'account')!;
    expect(account.columns.find((c) => c.name === 'revenue')).toEqual({ name: 'revenue', dataverseType: 'MoneyType', ourType: 'amount', avroType: 'Money{value: decimal(38,4), currency: string?}' });
    expect(account.columns.find((c) => c.name === 'statecode')).toMatchObject({ ourType: 'picklist', avroType: 'Choice{value: int, label: string?}' });
    expect(account.columns.find((c) => c.name === 'ownerid')).toMatchObject({ dataverseType: 'OwnerType', ourType: 'reference', avroType: 'Reference{id: uuid, table: string, name: string?}' });
    const widget = out.tables.find((t) => t.logicalName === 'new_widget')!;
    const skippedTypes = new Set(widget.skipped.map((s) => s.dataverseType));
    for (const type of ['VirtualType', 'ImageType', 'FileType', 'EntityNameType', 'ManagedPropertyType']) expect(skippedTypes).toContain(type);
    expect(widget.skipped.every((s) => s.reason.length > 0)).toBe(true);
    expect(widget.columns.some((c) => c.ourType === 'multipicklist' && c.avroType.startsWith('array<Choice{'))).toBe(true);
  });

  it('prints the human table with the three types per column and the skipped columns', async () => {
    const r = await runDynsync(['tables', cc, '--table', 'new_widget'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/COLUMN\s+DATAVERSE TYPE\s+OUR TYPE\s+AVRO TYPE/);
    expect(r.stdout).toMatch(/skipped columns \(\d+\):/);
    expect(r.stdout).toMatch(/ImageType\s+image column: binary content is not synced/);
  });

  it('an unknown connection is CONNECTION_NOT_FOUND (exit 2) with how to create it', async () => {
    const r = await runDynsync(['tables', 'nope'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error [CONNECTION_NOT_FOUND]');
    expect(r.stderr).toContain('dynsync connect --name nope');
  });

  it('revoked consent gives a clear reconnect message, and connect recovers', async () => {
    await fx.control('POST', '/revoke', { accessTokens: true, refreshTokens: true });
    const r = await runDynsync(['tables', deleg, '--table', 'account'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error [AUTH_CONSENT_REVOKED]');
    expect(r.stderr).toContain('run `dynsync connect` again to re-consent');
    expect(r.stderr).toContain('hint: the organisation no longer accepts this connection\'s sign-in: reconnect');
    const again = await runDynsync(connectArgs(deleg, ['--auto-consent']), env, fx.sim.clientSecret);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('replacing the previous settings');
    expect((await runDynsync(['tables', deleg, '--table', 'contact'], env)).code).toBe(0);
  });
});

describe('dynsync connections', () => {
  it('lists, shows (secrets as "sealed") and removes connections', async () => {
    const list = await runDynsync(['connections', 'list', '--json'], env);
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as { id: string }[]).map((c) => c.id)).toEqual([cc, deleg].sort());
    const text = await runDynsync(['connections', 'list'], env);
    expect(text.stdout).toMatch(new RegExp(`^${cc}\\s+${fx.sim.orgUrl.replace(/[.]/g, '\\.')}\\s+client-credentials\\s+account,contact`, 'm'));

    const show = await runDynsync(['connections', 'show', cc, '--json'], env);
    expect(JSON.parse(show.stdout)).toMatchObject({ id: cc, tenantId: fx.sim.tenantId, clientId: fx.sim.clientId, secrets: { clientSecret: 'sealed', tokenCache: 'sealed' } });
    const showText = await runDynsync(['connections', 'show', cc], env);
    expect(showText.stdout).toMatch(/client secret\s+sealed/);
    expect(show.stdout + showText.stdout).not.toContain(fx.sim.clientSecret);

    const extra = uniqueName('gone');
    expect((await runDynsync(connectArgs(extra), env, fx.sim.clientSecret)).code).toBe(0);
    const removed = await runDynsync(['connections', 'remove', extra], env);
    expect(removed.code).toBe(0);
    expect(await state().collection('secrets').countDocuments({ connectionId: extra })).toBe(0);
    const after = await runDynsync(['connections', 'show', extra], env);
    expect(after.code).toBe(2);
    expect(after.stderr).toContain('CONNECTION_NOT_FOUND');
  });
});

describe('read-only', () => {
  it('the simulator never received a non-GET Dataverse request', async () => {
    expect((await fx.control<{ count: number }>('GET', '/non-get')).count).toBe(0);
  });
});
