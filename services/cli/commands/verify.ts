/**
 * `dynsync verify <connection> [--tables a,b] [--json]`: proves the copy whole, or says what differs, on demand and
 * read-only. For each table, the live documents of the connection's database (`<DYNSYNC_DATABASE_PREFIX><id>`) are
 * compared with the ids and versions Dataverse lists, window by window (dataverse/compare/id-set-scan.ts, GET only);
 * the documents a window did not list are asked for once more (existing-ids.ts), which tells a row deleted at the
 * source (extra) from one modified since (stale). Nothing is written anywhere. Exit code 0 only when every table is
 * whole (nothing missing, extra or stale, all of it compared), 1 otherwise; 2 for operator mistakes.
 */
import type { Db } from 'mongodb';
import { toSyncError } from '../../shared/errors.ts';
import { systemClock } from '../../shared/clock.ts';
import { tableDatabase } from '../../contracts/stored-document.ts';
import type { DataverseClient } from '../../dataverse/client/dataverse-client.ts';
import { existingIds } from '../../dataverse/compare/existing-ids.ts';
import { scanTable, type ScanTarget } from '../../dataverse/compare/id-set-scan.ts';
import { describeTable, listTables } from '../../dataverse/discovery/discover.ts';
import type { TableSummary } from '../../dataverse/model/table-definition.ts';
import type { CliCommand, CliContext } from '../cli-context.ts';
import { CONNECTION_ARGUMENT, JSON_OPTION, parseCommandWithId, type CommandSpec } from '../command-spec.ts';
import { toJsonText } from '../format.ts';
import { parseTableList } from '../sync-command.ts';
import { VerifyTally, type TableVerify } from '../core/verify-tally.ts';
import { verifyTables } from '../core/verify-tables.ts';
import { formatVerify, tableDoneLine, verifyProgressLine, verifyReport } from '../verify-view.ts';

const spec = {
  name: 'verify',
  summary: 'Compare the stored documents of a connection with Dataverse (ids and versions), read-only: missing, extra and stale documents per table.',
  positionals: CONNECTION_ARGUMENT,
  options: {
    tables: { type: 'string', valueName: '<a,b>', description: 'only these tables (logical names, comma separated); default: every table of the connection' },
    json: JSON_OPTION,
  },
  notes: [
    'missing: a row of Dataverse without a live document; extra: a live document whose row Dataverse no longer has;',
    'stale: a document whose versionnumber or modifiedon is not the row\'s. Reads MongoDB (database',
    '<DYNSYNC_DATABASE_PREFIX><connection>, prefix dynsync_ by default) and Dataverse (GET only); writes nothing.',
    'Exit codes: 0 every table whole; 1 something missing, extra or stale, or a table not compared completely (a',
    'listing failed: the reason is printed); 2 unknown connection or table, bad arguments; 4 MongoDB or Dataverse unreachable.',
  ],
  examples: ['dynsync verify acme', 'dynsync verify acme --tables account,contact', 'dynsync verify acme --json'],
} as const satisfies CommandSpec;

/** Failed windows in a row after which the rest of a table is left uncompared. */
const GIVE_UP_AFTER = 3;

/** Shows what is going on: a line rewritten in place on a terminal, and a line per finished table on stderr. */
function progressOf(ctx: CliContext) {
  const tty = ctx.io.isTty === true;
  let drawn = false;
  const clear = () => {
    if (drawn) ctx.io.err('\r\u001b[K');
    drawn = false;
  };
  return {
    window(table: string, so: { windows: number; stored: number }) {
      if (!tty) return;
      ctx.io.err(`\r\u001b[K${verifyProgressLine(table, so.windows, so.stored)}`);
      drawn = true;
    },
    done(t: TableVerify, ms: number) {
      clear();
      ctx.io.err(`${tableDoneLine(t, ms)}\n`);
    },
  };
}

/** Compares one table. */
async function verifyTable(ctx: CliContext, client: DataverseClient, db: Db, summary: TableSummary): Promise<TableVerify> {
  const progress = progressOf(ctx);
  const started = systemClock.nowMs();
  const tally = new VerifyTally(summary.logicalName);
  const definition = await describeTable(client, summary);
  const target: ScanTarget = {
    table: summary.logicalName,
    entitySetName: summary.entitySetName,
    primaryIdAttribute: summary.primaryIdAttribute,
    versions: { versionNumber: definition.columns.some((c) => c.logicalName === 'versionnumber') },
  };
  let failedInRow = 0;
  for await (const w of scanTable(db.collection(summary.logicalName), client, target, { beforeMs: null })) {
    const extras = tally.window(w);
    progress.window(summary.logicalName, tally.progress);
    if (!w.ok) {
      if (++failedInRow < GIVE_UP_AFTER) continue;
      tally.reason(`stopped after ${GIVE_UP_AFTER} failed windows in a row`);
      break;
    }
    failedInRow = 0;
    if (extras.length === 0) continue;
    try {
      tally.checked(extras, await existingIds(client, target, extras.map((r) => r.id)));
    } catch (err) {
      tally.checkFailed(extras.length, toSyncError(err).message);
    }
  }
  const result = tally.result();
  progress.done(result, systemClock.nowMs() - started);
  return result;
}

/** A table of the connection's list that the organisation does not have. */
function absentTable(table: string): TableVerify {
  const tally = new VerifyTally(table);
  tally.reason(`table ${table} is not in the organisation's metadata (or not syncable): nothing was compared`);
  return tally.result();
}

async function run(ctx: CliContext, argv: readonly string[]): Promise<number> {
  const { values, id } = parseCommandWithId(spec, argv);
  const requested = values.tables === undefined ? undefined : parseTableList(values.tables);
  const open = await ctx.open(id);
  const { tables: syncable } = await listTables(open.client);
  const chosen = verifyTables(id, requested, open.connection.tables, syncable.map((t) => t.logicalName));
  const database = tableDatabase(ctx.config.DYNSYNC_DATABASE_PREFIX, id);
  const db = (await ctx.mongo()).db(database);
  const results: TableVerify[] = [];
  for (const table of chosen.tables) results.push(await verifyTable(ctx, open.client, db, syncable.find((t) => t.logicalName === table)!));
  results.push(...chosen.absent.map(absentTable));
  const report = verifyReport(id, database, results);
  ctx.io.out(values.json ? toJsonText(report) : formatVerify(report));
  return report.whole ? 0 : 1;
}

/** The `verify` command. */
export const verifyCommand: CliCommand = { spec, run };
