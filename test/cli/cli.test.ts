/**
 * The `dynsync` CLI end to end, as child processes: both OAuth flows against the real simulator (HTTPS, its CA
 * trusted through DYNSYNC_DEV_CA_PATH only), connections in the real MongoDB-protocol store with sealed secrets,
 * discovery output, commands produced to the real Kafka `sync.commands` topic, and the state views.
 */
import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import type { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixture, type SimFixture } from '../../harness/sim-fixture.ts';
import { addRunLoads } from '../support/run-loads.ts';
import { testKafka, testMongo, uniqueName } from '../support/servers.ts';
import { cliEnv, runDynsync, withoutDevWarning } from './cli-harness.ts';
import { COMMANDS_TOPIC } from '../../services/contracts/topic-names.ts';

interface Stats {
  requests: { tokenGrants: Record<string, number> };
}

let fx: SimFixture;
let env: Record<string, string>;
let mongo: MongoClient;
const cc = uniqueName('cc');
const deleg = uniqueName('deleg');

const connectArgs = (name: string, extra: string[] = []) => [
  'connect',
  '--name',
  name,
  '--org',
  fx.sim.orgUrl,
  '--tenant',
  fx.sim.tenantId,
  '--client-id',
  fx.sim.clientId,
  '--client-secret-stdin',
  ...extra,
];
const grants = async () => (await fx.control<Stats>('GET', '/stats')).requests.tokenGrants;
const state = () => mongo.db(env.DYNSYNC_STATE_DB);

beforeAll(async () => {
  fx = await startFixture({ rows: 50 });
  env = cliEnv(fx.sim);
  mongo = await testMongo();
});

afterAll(async () => {
  await mongo?.close();
  await fx?.sim.close();
});

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

describe('dynsync sync / resync', () => {
  it('produce the exact JSON command to sync.commands, keyed by connection id', async () => {
    const sync = await runDynsync(['sync', cc, '--tables', 'account,contact', '--json'], env);
    expect(sync.stderr).toBe('');
    expect(sync.code).toBe(0);
    const resync = await runDynsync(['resync', cc], env);
    expect(resync.code).toBe(0);
    expect(resync.stdout).toContain(`Full resync of "${cc}" (every table) requested: ${COMMANDS_TOPIC} partition`);
    const produced = JSON.parse(sync.stdout) as { partition: number; offset: string; command: { requestedAt: string } };

    const kafka = testKafka();
    const consumer = kafka.consumer({ groupId: uniqueName('cli-commands') });
    const seen: { partition: number; offset: string; key: string; value: string }[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: COMMANDS_TOPIC, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${seen.length} commands of ${cc} seen`)), 60_000);
        void consumer.run({
          eachMessage: async ({ partition, message }) => {
            if (message.key?.toString() !== cc) return;
            seen.push({ partition, offset: message.offset, key: message.key.toString(), value: message.value?.toString() ?? '' });
            if (seen.length === 2) {
              clearTimeout(timer);
              resolve();
            }
          },
        });
      });
    } finally {
      await consumer.disconnect();
    }
    const user = `cli:${userInfo().username}`;
    const [first, second] = seen;
    expect(first).toMatchObject({ partition: produced.partition, offset: produced.offset });
    expect(first!.value).toBe(JSON.stringify({ kind: 'refresh', connection: cc, tables: ['account', 'contact'], requestedBy: user, requestedAt: produced.command.requestedAt }));
    expect(new Date(produced.command.requestedAt).toISOString()).toBe(produced.command.requestedAt);
    const full = JSON.parse(second!.value) as Record<string, unknown>;
    expect(Object.keys(full)).toEqual(['kind', 'connection', 'requestedBy', 'requestedAt']);
    expect(full).toMatchObject({ kind: 'full-resync', connection: cc, requestedBy: user });
  });

  it('refuses an unknown connection and invalid table names without producing', async () => {
    const unknown = await runDynsync(['sync', 'nope'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('CONNECTION_NOT_FOUND');
    const bad = await runDynsync(['sync', cc, '--tables', 'Account;drop'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('is not a table logical name');
  });
});

describe('dynsync watermarks / runs', () => {
  it('show what the coordinator wrote, tolerating missing fields', async () => {
    await state().collection('watermarks').insertMany([
      { _id: `${cc}/account` as never, watermark: new Date('2026-03-01T10:00:00Z'), runId: 'run-2', updatedAt: new Date('2026-03-01T10:05:00Z') },
      { _id: `${cc}/contact` as never, watermark: new Date('2026-03-01T09:00:00Z') },
      { _id: `${cc}x/account` as never, watermark: new Date('2026-01-01T00:00:00Z') },
    ]);
    await state().collection('runs').insertMany([
      { _id: `run-1-${cc}` as never, connection: cc, kind: 'full', status: 'completed', startedAt: new Date('2026-03-01T08:00:00Z'), completedAt: new Date('2026-03-01T08:30:00Z'), tables: { account: { windowsDone: 4, windowsTotal: 4, records: 50 } } },
      { _id: `run-2-${cc}` as never, connection: cc, kind: 'incremental', status: 'running', startedAt: new Date('2026-03-01T10:00:00Z'), tables: [{ table: 'account', windowsDone: 1, windowsTotal: 4, records: 1234 }, { table: 'contact' }] },
    ]);
    await addRunLoads(state(), { runId: `run-1-${cc}`, connection: cc }, 'account', { written: 5, unchanged: 45 });
    const wm = await runDynsync(['watermarks', cc, '--json'], env);
    expect(wm.code).toBe(0);
    expect(JSON.parse(wm.stdout)).toEqual({
      connection: cc,
      watermarks: [
        { table: 'account', watermark: '2026-03-01T10:00:00.000Z', runId: 'run-2', updatedAt: '2026-03-01T10:05:00.000Z' },
        { table: 'contact', watermark: '2026-03-01T09:00:00.000Z' },
      ],
    });
    const wmText = await runDynsync(['watermarks', cc], env);
    expect(wmText.stdout).toMatch(/^account\s+2026-03-01 10:00:00Z\s+run-2\s+2026-03-01 10:05:00Z$/m);

    const runs = await runDynsync(['runs', cc, '--json'], env);
    expect(runs.code).toBe(0);
    const out = JSON.parse(runs.stdout) as { runs: { runId: string; status: string; windowsDone: number; windowsTotal: number; records: number }[] };
    expect(out.runs.map((r) => r.runId)).toEqual([`run-2-${cc}`, `run-1-${cc}`]);
    expect(out.runs[0]).toMatchObject({ status: 'running', windowsDone: 1, windowsTotal: 4, records: 1234 });
    expect(out.runs[1]).toMatchObject({ status: 'completed', windowsDone: 4, windowsTotal: 4, records: 50, written: 5, unchanged: 45, tombstoned: 0 }); // tables keyed by name; the loader's counts
    const runsText = await runDynsync(['runs', cc], env);
    expect(runsText.stdout).toMatch(new RegExp(`^run-2-${cc}\\s+incremental\\s+running\\s+2026-03-01 10:00:00Z\\s+-\\s+-\\s+1/4 \\(25%\\)\\s+1,234\\s+-\\s+-\\s+0$`, 'm'));
    expect(runsText.stdout).toMatch(new RegExp(`^run-1-${cc}\\s+full\\s+completed\\s+.*\\s+4/4 \\(100%\\)\\s+50\\s+5\\s+45\\s+0$`, 'm'));
    expect(runsText.stdout).toMatch(/^\s+contact\s+-\s+-\s+-\s+-\s+0$/m);
  });
});

describe('read-only', () => {
  it('the simulator never received a non-GET Dataverse request', async () => {
    expect((await fx.control<{ count: number }>('GET', '/non-get')).count).toBe(0);
  });
});
