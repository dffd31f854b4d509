/**
 * `dynsync connections list|show|remove`: the stored connections (state database, collection `connections`).
 * Secrets are never decrypted or shown: `show` reports them as "sealed" (or "missing"), which needs no key.
 */
import { SyncError } from '../../shared/errors.ts';
import type { Connection } from '../../dataverse/connections/connection.ts';
import { SECRET_NAMES, secretId } from '../../dataverse/secrets/encrypted-secrets.ts';
import type { CliCommand, CliContext } from '../cli-context.ts';
import { JSON_OPTION, parseCommand, parseCommandWithId, rejectExtraPositionals, type CommandSpec } from '../command-spec.ts';
import { formatDate, renderTable, toJsonText } from '../format.ts';

const tablesText = (c: Connection) => (c.tables === 'all' ? 'all' : c.tables.join(','));

const listSpec = {
  name: 'connections list',
  summary: 'List the stored connections.',
  options: { json: JSON_OPTION },
  examples: ['dynsync connections list', 'dynsync connections list --json'],
} as const satisfies CommandSpec;

const showSpec = {
  name: 'connections show',
  summary: 'Show one connection. Its client secret and tokens are never shown: they are reported as "sealed".',
  positionals: [{ name: 'id', description: 'connection id' }],
  options: { json: JSON_OPTION },
  examples: ['dynsync connections show acme'],
} as const satisfies CommandSpec;

const removeSpec = {
  name: 'connections remove',
  summary:
    'Remove a connection and its sealed secrets. The coordinator schedules only stored connections; its topics, ' +
    'watermarks and synced data are left in place.',
  positionals: [{ name: 'id', description: 'connection id' }],
  options: { json: JSON_OPTION },
  examples: ['dynsync connections remove acme'],
} as const satisfies CommandSpec;

/** A connection as JSON output shows it (no secrets exist in it; their state is added by `show`). */
function view(c: Connection) {
  return { ...c, createdAt: c.createdAt.toISOString(), updatedAt: c.updatedAt.toISOString() };
}

async function list(ctx: CliContext, argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommand(listSpec, argv);
  rejectExtraPositionals(listSpec, positionals);
  const all = await (await ctx.connections()).list();
  if (values.json) {
    ctx.io.out(toJsonText(all.map(view)));
    return 0;
  }
  if (all.length === 0) {
    ctx.io.out('No connections. Create one with `dynsync connect --name <id> --org <url> ...`.\n');
    return 0;
  }
  ctx.io.out(
    renderTable(all, [
      { header: 'ID', value: (c) => c.id },
      { header: 'ORGANISATION', value: (c) => c.orgUrl },
      { header: 'FLOW', value: (c) => c.flow },
      { header: 'TABLES', value: tablesText },
      { header: 'FULL', value: (c) => c.schedule.full },
      { header: 'INCREMENTAL', value: (c) => c.schedule.incremental },
      { header: 'TZ', value: (c) => c.schedule.timeZone },
      { header: 'UPDATED', value: (c) => formatDate(c.updatedAt) },
    ]),
  );
  return 0;
}

async function show(ctx: CliContext, argv: readonly string[]): Promise<number> {
  const { values, id } = parseCommandWithId(showSpec, argv);
  const c = await (await ctx.connections()).get(id);
  const store = await ctx.secretStore();
  const state = async (name: string) => ((await store.get(secretId(id, name))) ? 'sealed' : 'missing');
  const secrets = { clientSecret: await state(SECRET_NAMES.clientSecret), tokenCache: await state(SECRET_NAMES.tokenCache) };
  if (values.json) {
    ctx.io.out(toJsonText({ ...view(c), secrets }));
    return 0;
  }
  const rows: [string, string][] = [
    ['id', c.id],
    ['organisation', c.orgUrl],
    ['tenant', c.tenantId],
    ['client id', c.clientId],
    ['flow', c.flow],
    ['tables', tablesText(c)],
    ['full refresh', `${c.schedule.full} (${c.schedule.timeZone})`],
    ['incremental', `${c.schedule.incremental} (${c.schedule.timeZone})`],
    ['client secret', secrets.clientSecret],
    ['token cache', secrets.tokenCache],
    ['created', formatDate(c.createdAt)],
    ['updated', formatDate(c.updatedAt)],
  ];
  for (const [k, val] of rows) ctx.io.out(`${k.padEnd(14)} ${val}\n`);
  return 0;
}

async function remove(ctx: CliContext, argv: readonly string[]): Promise<number> {
  const { values, id } = parseCommandWithId(removeSpec, argv);
  const removed = await (await ctx.connections()).remove(id);
  const store = await ctx.secretStore();
  for (const name of [SECRET_NAMES.clientSecret, SECRET_NAMES.tokenCache]) await store.delete(secretId(id, name));
  if (!removed) throw new SyncError('CONNECTION_NOT_FOUND', `connection "${id}" does not exist (list them with \`dynsync connections list\`)`);
  ctx.io.out(values.json ? toJsonText({ removed: id }) : `Removed connection "${id}" and its sealed secrets.\n`);
  return 0;
}

/** `connections list`, `connections show`, `connections remove`. */
export const connectionsCommands: CliCommand[] = [
  { spec: listSpec, run: list },
  { spec: showSpec, run: show },
  { spec: removeSpec, run: remove },
];
