/**
 * `dynsync tables <connection>`: what discovery sees through the connection (GET only): every syncable table
 * (or one with --table), each column's Dataverse type, our type and Avro type, the skipped columns with their
 * reasons, and the tables that cannot be synced at all.
 */
import type { TableDefinition } from '../../dataverse/model/table-definition.ts';
import { avroFieldName, avroSchemaFor } from '../../dataverse/mapping/avro-schema.ts';
import { definitionOf, describeTables, discoverTable, listTables } from '../../dataverse/discovery/discover.ts';
import type { SkippedTable } from '../../dataverse/model/entity-definitions.ts';
import type { Connection } from '../../dataverse/connections/connection.ts';
import type { CliCommand, CliContext } from '../cli-context.ts';
import { avroTypeLabels } from '../avro-type-label.ts';
import { CONNECTION_ARGUMENT, JSON_OPTION, parseCommandWithId, type CommandSpec } from '../command-spec.ts';
import { renderTable, toJsonText } from '../format.ts';

/** Avro namespace of table records (the record itself is `<namespace>.<connection>.<table>`). */
export const AVRO_NAMESPACE = 'dynsync';

const spec = {
  name: 'tables',
  summary:
    'List the tables of a connection with their columns: Dataverse type, our type, Avro type (every field nullable), ' +
    'and the columns and tables that are not synced, with the reason.',
  positionals: CONNECTION_ARGUMENT,
  options: {
    table: { type: 'string', valueName: '<name>', description: 'only this table (logical name)' },
    json: JSON_OPTION,
  },
  examples: ['dynsync tables acme', 'dynsync tables acme --table account', 'dynsync tables acme --json'],
} as const satisfies CommandSpec;

/** One table as `tables` reports it. */
export interface TableReport {
  logicalName: string;
  entitySetName: string;
  primaryIdAttribute: string;
  primaryNameAttribute: string | null;
  changeTrackingEnabled: boolean;
  /** Whether the connection's table selection includes it. */
  selected: boolean;
  columns: { name: string; dataverseType: string; ourType: string; avroType: string }[];
  skipped: { name: string; dataverseType: string; reason: string }[];
}

/** Builds the report of one discovered table. Pure. */
export function tableReport(table: TableDefinition, connection: Pick<Connection, 'id' | 'tables'>): TableReport {
  const labels = avroTypeLabels(avroSchemaFor(table, { namespace: AVRO_NAMESPACE, connection: connection.id }));
  return {
    logicalName: table.logicalName,
    entitySetName: table.entitySetName,
    primaryIdAttribute: table.primaryIdAttribute,
    primaryNameAttribute: table.primaryNameAttribute,
    changeTrackingEnabled: table.changeTrackingEnabled,
    selected: connection.tables === 'all' || connection.tables.includes(table.logicalName),
    columns: table.columns.map((c) => ({ name: c.logicalName, dataverseType: c.dataverseType, ourType: c.ourType, avroType: labels.get(avroFieldName(c)) ?? '?' })),
    skipped: table.skipped.map((s) => ({ name: s.logicalName, dataverseType: s.dataverseType, reason: s.reason })),
  };
}

/** The text of one table report. Pure. */
export function formatTableReport(t: TableReport): string {
  const flags = [t.selected ? 'synced by this connection' : 'not selected', t.changeTrackingEnabled ? 'change tracking on' : 'change tracking off'];
  let text = `${t.logicalName} (entity set ${t.entitySetName}, key ${t.primaryIdAttribute}; ${flags.join(', ')})\n`;
  text += renderTable(
    t.columns,
    [
      { header: 'COLUMN', value: (c) => c.name },
      { header: 'DATAVERSE TYPE', value: (c) => c.dataverseType },
      { header: 'OUR TYPE', value: (c) => c.ourType },
      { header: 'AVRO TYPE', value: (c) => c.avroType },
    ],
    '  ',
  );
  if (t.skipped.length > 0) {
    text += `  skipped columns (${t.skipped.length}):\n`;
    text += renderTable(
      t.skipped,
      [
        { header: 'COLUMN', value: (c) => c.name },
        { header: 'DATAVERSE TYPE', value: (c) => c.dataverseType },
        { header: 'REASON', value: (c) => c.reason },
      ],
      '    ',
    );
  }
  return text;
}

async function run(ctx: CliContext, argv: readonly string[]): Promise<number> {
  const { values, id } = parseCommandWithId(spec, argv);
  const open = await ctx.open(id);
  let definitions: TableDefinition[];
  let skippedTables: SkippedTable[] = [];
  if (values.table !== undefined) {
    definitions = [await discoverTable(open.client, values.table.trim().toLowerCase())];
  } else {
    const listed = await listTables(open.client);
    skippedTables = listed.skipped;
    definitions = (await describeTables(open.client, listed.tables)).map(definitionOf);
  }
  const reports = definitions.map((d) => tableReport(d, open.connection));
  if (values.json) {
    ctx.io.out(toJsonText({ connection: id, tables: reports, skippedTables }));
    return 0;
  }
  ctx.io.out(`${reports.length} table${reports.length === 1 ? '' : 's'} in ${open.org.orgUrl} (connection "${id}"); every Avro field is nullable\n\n`);
  for (const r of reports) ctx.io.out(`${formatTableReport(r)}\n`);
  if (skippedTables.length > 0) {
    ctx.io.out(`Tables not synced (${skippedTables.length}):\n`);
    ctx.io.out(renderTable(skippedTables, [{ header: 'TABLE', value: (t) => t.logicalName }, { header: 'REASON', value: (t) => t.reason }], '  '));
  }
  return 0;
}

/** The `tables` command. */
export const tablesCommand: CliCommand = { spec, run };
