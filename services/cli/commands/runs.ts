/**
 * `dynsync runs <connection>`: recent runs of a connection (state database: `runs`, written by the coordinator, and
 * the loader's `run_loads`), newest first, with window progress and the records extracted, written, unchanged and
 * tombstoned, and the same per table for the latest run.
 */
import { reconcileNote } from '../../contracts/run-counts.ts';
import type { CliCommand, CliContext } from '../cli-context.ts';
import { CONNECTION_ARGUMENT, JSON_OPTION, parseCommandWithId, usageError, type CommandSpec } from '../command-spec.ts';
import { formatDate, formatProgress, oneLine, renderTable, toJsonText } from '../format.ts';
import { OUTCOME_COLUMNS, type RunView } from '../run-status.ts';
import { StatusQuery } from '../status-query.ts';
import { formatCount } from '../../shared/display-format.ts';

const spec = {
  name: 'runs',
  summary: 'Show the recent runs of a connection (newest first) with their progress.',
  positionals: CONNECTION_ARGUMENT,
  options: {
    limit: { type: 'string', valueName: '<n>', description: 'how many runs (default 10)' },
    json: JSON_OPTION,
  },
  examples: ['dynsync runs acme', 'dynsync runs acme --limit 50 --json'],
} as const satisfies CommandSpec;

/** The runs table. Pure. */
export function formatRuns(runs: readonly RunView[]): string {
  let out = renderTable(runs, [
    { header: 'RUN', value: (r) => r.runId },
    { header: 'KIND', value: (r) => r.kind ?? '-' },
    { header: 'STATUS', value: (r) => r.status ?? '-' },
    { header: 'STARTED', value: (r) => formatDate(r.startedAt) },
    { header: 'COMPLETED', value: (r) => formatDate(r.completedAt) },
    { header: 'LOADED', value: (r) => formatDate(r.loadedAt) },
    { header: 'WINDOWS', value: (r) => formatProgress(r.windowsDone, r.windowsTotal), right: true },
    { header: 'RECORDS', value: (r) => formatCount(r.records), right: true },
    ...OUTCOME_COLUMNS,
  ]);
  for (const r of runs.filter((x) => x.error !== undefined)) out += `\nRun ${r.runId} failed: ${r.error}\n`;
  for (const r of runs) {
    const note = reconcileNote(r.reconcile);
    if (note !== null) out += `\nRun ${r.runId}: ${oneLine(note)}\n`;
  }
  const latest = runs[0];
  if (latest && latest.tables.length > 0) {
    out += `\nLatest run ${latest.runId} by table:\n`;
    out += renderTable(
      latest.tables,
      [
        { header: 'TABLE', value: (t) => t.table },
        { header: 'WINDOWS', value: (t) => formatProgress(t.windowsDone, t.windowsTotal), right: true },
        { header: 'RECORDS', value: (t) => formatCount(t.records), right: true },
        ...OUTCOME_COLUMNS,
      ],
      '  ',
    );
  }
  return out;
}

async function run(ctx: CliContext, argv: readonly string[]): Promise<number> {
  const { values, id } = parseCommandWithId(spec, argv);
  const limit = values.limit === undefined ? 10 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw usageError(spec.name, '--limit must be an integer from 1 to 1000');
  const runs = await new StatusQuery(await ctx.stateDb()).recent(id, limit);
  if (runs.length === 0) await (await ctx.connections()).get(id); // unknown connection → CONNECTION_NOT_FOUND
  if (values.json) {
    ctx.io.out(toJsonText({ connection: id, runs }));
    return 0;
  }
  if (runs.length === 0) {
    ctx.io.out(`No runs yet for "${id}". Start one with \`dynsync sync ${id}\`.\n`);
    return 0;
  }
  ctx.io.out(formatRuns(runs));
  return 0;
}

/** The `runs` command. */
export const runsCommand: CliCommand = { spec, run };
