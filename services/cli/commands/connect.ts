/**
 * `dynsync connect`: validates the organisation URL, authenticates (client credentials, or the authorization-code
 * consent with PKCE), verifies with WhoAmI, and only then stores the connection and its sealed secrets. Until the
 * verification succeeds, the client secret and token cache live in a staging store in memory, so a failed
 * reconnect (wrong secret, typo) never damages a working connection. Secrets are never printed or logged.
 */
import { SyncError, isSyncError } from '../../shared/errors.ts';
import { saveClientSecret } from '../../dataverse/auth/stored-client-secret.ts';
import type { Connection } from '../../dataverse/connections/connection.ts';
import { openConnection, orgOf } from '../../dataverse/connections/open-connection.ts';
import { cipherFromConfig } from '../../dataverse/secrets/config.ts';
import { EncryptedSecrets, SECRET_NAMES, secretId } from '../../dataverse/secrets/encrypted-secrets.ts';
import { MemorySecretStore } from '../../dataverse/secrets/secret-store.ts';
import type { CliCommand, CliContext } from '../cli-context.ts';
import { parseCommand, rejectExtraPositionals, usageError, type CommandSpec } from '../command-spec.ts';
import { checkConnectionId, parseConnectTables, parseSchedule, resolveFlow } from '../connect-options.ts';
import { runConsent } from '../consent-flow.ts';
import { formatDate, formatSkew, toJsonText } from '../format.ts';

const spec = {
  name: 'connect',
  summary:
    'Connect a Dynamics 365 / Dataverse organisation: validate its URL, authenticate, verify with WhoAmI, then store the ' +
    'connection (its client secret and tokens sealed with DYNSYNC_ENCRYPTION_KEY).',
  options: {
    name: { type: 'string', valueName: '<id>', description: 'connection id: lower-case letters, digits, _ and - (names topics and databases)' },
    org: { type: 'string', valueName: '<url>', description: 'organisation URL, e.g. https://org123.crm12.dynamics.com' },
    tenant: { type: 'string', valueName: '<id>', description: 'directory (tenant) id or verified domain of the organisation' },
    'client-id': { type: 'string', valueName: '<id>', description: 'application (client) id of the app registration' },
    'client-secret': { type: 'string', valueName: '<secret>', description: 'client secret of the app (visible in `ps` and shell history, warned about: prefer --client-secret-stdin)' },
    'client-secret-stdin': { type: 'boolean', description: 'read the client secret from stdin (typed without echo on a terminal)' },
    flow: { type: 'string', valueName: '<flow>', description: 'client-credentials (application user) or delegated (sign-in and consent); see below' },
    tables: { type: 'string', valueName: '<a,b|all>', description: 'tables to sync: logical names, comma separated, or all (default all)' },
    'full-cron': { type: 'string', valueName: '<cron>', description: 'full refresh schedule, 5-field cron (default "0 2 * * *", nightly)' },
    'incremental-cron': { type: 'string', valueName: '<cron>', description: 'incremental schedule, 5-field cron (default "0 */2 * * *", every 2 hours)' },
    'time-zone': { type: 'string', valueName: '<tz>', description: 'IANA time zone of both schedules (default UTC)' },
    port: { type: 'string', valueName: '<port>', description: 'delegated: local port of the redirect http://127.0.0.1:<port>/callback (default: any free port)' },
    'no-browser': { type: 'boolean', description: 'delegated: only print the sign-in URL, do not open a browser' },
    'auto-consent': { type: 'boolean', description: 'development only (simulator origins): follow the sign-in URL without a browser' },
    json: { type: 'boolean', description: 'print the result as JSON' },
  },
  notes: [
    'Flow: --flow wins; otherwise delegated when --auto-consent, --port or --no-browser is given or no secret is given,',
    'else client-credentials. Both flows use the app as a confidential client, so both need its client secret.',
    'Requires DYNSYNC_ENCRYPTION_KEY (32 bytes, base64 or hex) and MONGODB_URI.',
    'Exit codes: 0 connected; 2 invalid URL, arguments, secret, consent or configuration; 4 service unreachable; 1 other.',
  ],
  examples: [
    'printf %s "$SECRET" | dynsync connect --name acme --org https://acme.crm4.dynamics.com --tenant contoso.com --client-id <app-id> --client-secret-stdin',
    'dynsync connect --name acme --org https://acme.crm4.dynamics.com --tenant <tenant-id> --client-id <app-id> --client-secret-stdin --flow delegated --port 53682',
  ],
} as const satisfies CommandSpec;

async function run(ctx: CliContext, argv: readonly string[]): Promise<number> {
  const { values: v, positionals } = parseCommand(spec, argv);
  rejectExtraPositionals(spec, positionals);
  const missing = (['name', 'org', 'tenant', 'client-id'] as const).filter((k) => !v[k]);
  if (missing.length > 0) throw usageError(spec.name, `missing ${missing.map((k) => `--${k}`).join(', ')}`);
  if (v['client-secret'] !== undefined && v['client-secret-stdin']) throw usageError(spec.name, 'give the client secret with --client-secret or --client-secret-stdin, not both');
  const now = new Date();
  const id = checkConnectionId(v.name!);
  const tables = parseConnectTables(v.tables);
  const schedule = parseSchedule({ fullCron: v['full-cron'], incrementalCron: v['incremental-cron'], timeZone: v['time-zone'] }, now);
  const port = parsePort(v.port);
  const secretGiven = v['client-secret'] !== undefined || v['client-secret-stdin'] === true;
  const flow = resolveFlow({ flow: v.flow, secretGiven, autoConsent: !!v['auto-consent'], port: v.port !== undefined, noBrowser: !!v['no-browser'] });

  const org = orgOf(v.org!, ctx.dataverseConfig(true)); // ORG_URL_INVALID names the problem, never echoes the input
  const cipher = cipherFromConfig(ctx.config); // ENCRYPTION_KEY_MISSING before anything is contacted
  if (v['auto-consent'] && org.cloud !== 'dev') {
    throw new SyncError('CONFIG_INVALID', '--auto-consent is for development only: the organisation must be a simulator origin listed in DYNSYNC_DEV_ORIGINS');
  }
  if (v['client-secret'] !== undefined) {
    ctx.io.err('warning: --client-secret puts the secret on the command line, where other users of this machine can read it (ps, /proc) and shell history keeps it: prefer --client-secret-stdin\n');
  }
  const secret = v['client-secret-stdin'] ? await ctx.io.readSecret('Client secret (not echoed): ') : v['client-secret'];
  if (secret === undefined) {
    throw new SyncError(
      'CONFIG_INVALID',
      'the authorization-code flow signs in through the app registration as a confidential client, which needs its client secret: ' +
        'give it with --client-secret-stdin (or --client-secret)',
    );
  }
  if (secret.trim() === '') throw new SyncError('CONFIG_INVALID', 'the client secret is empty');

  const store = await ctx.connections();
  const existing = await store.get(id).catch((err: unknown) => (isSyncError(err, 'CONNECTION_NOT_FOUND') ? undefined : Promise.reject(err)));
  const connection: Connection = {
    id,
    orgUrl: org.orgUrl,
    tenantId: v.tenant!,
    clientId: v['client-id']!,
    flow,
    tables,
    schedule,
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
  };

  // Staging: nothing is persisted until WhoAmI succeeds.
  const staging = new MemorySecretStore();
  const staged = new EncryptedSecrets(cipher, staging);
  await saveClientSecret(staged, connection, secret); // bound to this organisation, tenant and app
  const open = await openConnection(connection, { config: ctx.dataverseConfig(), secrets: staged, log: ctx.log });
  ctx.onClose(() => open.close());
  const account =
    flow === 'delegated'
      ? await runConsent({ auth: open.auth, io: ctx.io, port, openBrowser: !v['no-browser'], autoConsent: v['auto-consent'] ? open.agent : undefined })
      : undefined;
  const me = await open.client.whoAmI();

  const secrets = await ctx.secretStore();
  for (const name of [SECRET_NAMES.clientSecret, SECRET_NAMES.tokenCache]) {
    const doc = await staging.get(secretId(id, name));
    if (doc) await secrets.put(doc);
    else await secrets.delete(secretId(id, name));
  }
  await store.put(connection);

  if (v.json) {
    ctx.io.out(toJsonText({ connection, account: account ? { username: account.username, tenantId: account.tenantId } : undefined, whoAmI: me, clientSecret: 'sealed' }));
    return 0;
  }
  const rows: [string, string][] = [
    ['organisation', `${org.orgUrl} (cloud ${org.cloud})`],
    ['organization id', me.organizationId],
    ['user id', me.userId],
    ['business unit', me.businessUnitId],
    ['dop hint', me.dopHint === undefined ? '- (no x-ms-dop-hint header)' : String(me.dopHint)],
    ['server time', formatDate(me.serverTime)],
    ['clock skew', formatSkew(me.clockSkewMs)],
    ['tables', tables === 'all' ? 'all' : tables.join(', ')],
    ['schedule', `full "${schedule.full}", incremental "${schedule.incremental}" (${schedule.timeZone})`],
    ['client secret', 'sealed'],
  ];
  const who = account ? `, signed in as ${account.username}` : '';
  ctx.io.out(`Connected "${id}" (${flow}${who})${existing ? ', replacing the previous settings' : ''}\n`);
  for (const [k, val] of rows) ctx.io.out(`  ${k.padEnd(16)} ${val}\n`);
  return 0;
}

function parsePort(text: string | undefined): number {
  if (text === undefined) return 0;
  const n = Number(text);
  if (!/^\d{1,5}$/.test(text) || n > 65_535) throw usageError(spec.name, `--port must be a TCP port (0-65535), not "${text.slice(0, 16)}"`);
  return n;
}

/** The `connect` command. */
export const connectCommand: CliCommand = { spec, run };
