/**
 * `dynsync runs <connection>`: recent runs of a connection (state database, collection `runs`, written by the
 * coordinator), newest first, with window progress and record counts, and the per-table progress of the latest.
 */
import type { CliCommand, CliContext } from '../cli-context.ts';
import { parseCommand, rejectExtraPositionals, requirePositional, usageError, type CommandSpec } from '../command-spec.ts';
import { formatCount, formatDate, formatProgress, renderTable, toJsonText } from '../format.ts';
import { normalizeRun, type RunView } from '../run-status.ts';

/** The collection the coordinator keeps runs in. */
export const RUNS_COLLECTION = 'runs';

const spec = {
  name: 'runs',
  summary: 'Show the recent runs of a connection (newest first) with their progress.',
  positionals: [{ name: 'connection', description: 'connection id' }],
  options: {
    limit: { type: 'string', valueName: '<n>', description: 'how many runs (default 10)' },
    json: { type: 'boolean', description: 'print JSON' },
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
  ]);
  for (const r of runs.filter((x) => x.error !== undefined)) out += `\nRun ${r.runId} failed: ${r.error}\n`;
  const latest = runs[0];
  if (latest && latest.tables.length > 0) {
    out += `\nLatest run ${latest.runId} by table:\n`;
    out += renderTable(
      latest.tables,
      [
        { header: 'TABLE', value: (t) => t.table },
        { header: 'WINDOWS', value: (t) => formatProgress(t.windowsDone, t.windowsTotal), right: true },
        { header: 'RECORDS', value: (t) => formatCount(t.records), right: true },
      ],
      '  ',
    );
  }
  return out;
}

async function run(ctx: CliContext, argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommand(spec, argv);
  rejectExtraPositionals(spec, positionals);
  const id = requirePositional(spec, positionals, 0);
  const limit = values.limit === undefined ? 10 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw usageError(spec.name, '--limit must be an integer from 1 to 1000');
  const db = await ctx.stateDb();
  const docs = await db.collection<Record<string, unknown>>(RUNS_COLLECTION).find({ connection: id }).sort({ startedAt: -1, _id: -1 }).limit(limit).toArray();
  if (docs.length === 0) await (await ctx.connections()).get(id); // unknown connection → CONNECTION_NOT_FOUND
  const runs = docs.map(normalizeRun);
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
