/**
 * `dynsync status [--connection <id>] [--run <id>] [--once] [--json]`: live per-table progress of the running
 * run(s) from the coordinator's state DB (never from Dataverse or the services): windows done/total, records,
 * rate and ETA from successive readings. On a terminal the view is redrawn in place every --interval until the
 * followed runs finish or Ctrl-C; otherwise a plain line is printed per change; `--json` prints one snapshot
 * (`--once`) or one NDJSON line per change. With no run in progress: the latest run's outcome and the watermarks.
 * Exit code: 0 completed (or still running with --once), 1 a shown run failed, 130 interrupted.
 */
import { SyncError } from '../../shared/errors.ts';
import { systemClock } from '../../shared/clock.ts';
import { sleep } from '../../shared/retry.ts';
import type { CliCommand, CliContext } from '../cli-context.ts';
import { parseCommand, rejectExtraPositionals, usageError, type CommandSpec } from '../command-spec.ts';
import { toJsonText } from '../format.ts';
import type { History } from '../../shared/run-progress.ts';
import { changeLines, renderFrame } from '../progress-view.ts';
import type { RunView, WatermarkView } from '../run-status.ts';
import { buildSnapshot, isRunning, statusExitCode, type StatusSnapshot } from '../status-snapshot.ts';
import { StatusQuery } from '../status-query.ts';
import { CONNECTION_ID } from '../../contracts/ids.ts';

const spec = {
  name: 'status',
  summary: 'Live per-table progress of the running runs (windows, records, rate, ETA). With none running: the latest run and the watermarks.',
  options: {
    connection: { type: 'string', valueName: '<id>', description: 'only the runs of this connection' },
    run: { type: 'string', valueName: '<id>', description: 'follow this run (running or finished)' },
    once: { type: 'boolean', description: 'print the current state once and exit' },
    interval: { type: 'string', valueName: '<seconds>', description: 'time between readings of the state DB (default 1, 0.2 to 3600)' },
    json: { type: 'boolean', description: 'JSON: one snapshot with --once, else one NDJSON line per change' },
  },
  notes: [
    'Reads the runs and watermarks the coordinator keeps in the state DB (DYNSYNC_STATE_DB); it needs only MONGODB_URI.',
    'Without --run it follows the runs running when it starts, until they finish. On a terminal the view is redrawn',
    'in place; when stdout is not a terminal a line is printed for each table or run whose counts or status change.',
    'Rate = records per second over the last 10 s of readings; ETA = windows left / windows per second (last 60 s),',
    'both the average since the run started until two readings a second apart exist.',
    'Exit codes: 0 the runs completed (or are still running with --once, or there is none); 1 a shown run failed;',
    '130 interrupted (Ctrl-C); 2 usage or unknown connection/run; 4 MongoDB unreachable.',
  ],
  examples: ['dynsync status', 'dynsync status --connection acme', 'dynsync status --run <run-id> --json', 'dynsync status --connection acme --once --json'],
} as const satisfies CommandSpec;

const HIDE_CURSOR = '\u001b[?25l';
const SHOW_CURSOR = '\u001b[?25h';
/** Back to the start of the line `n` lines up, then clear to the end of the screen. */
const rewind = (n: number) => (n > 0 ? `\u001b[${n}F\u001b[0J` : '');

type Mode = 'json' | 'ndjson' | 'frame' | 'tty' | 'lines';

function parseInterval(text: string | undefined): number {
  if (text === undefined) return 1000;
  const s = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || s < 0.2 || s > 3600) throw usageError(spec.name, '--interval must be a number of seconds from 0.2 to 3600');
  return Math.round(s * 1000);
}

/** The runs to show: the given one, else the running ones, else the latest (idle = nothing is running). */
async function pickRuns(ctx: CliContext, query: StatusQuery, connection: string | undefined, runId: string | undefined): Promise<{ ids: string[]; idle: boolean }> {
  if (runId !== undefined) {
    const [r] = await query.byIds([runId]);
    if (!r || (connection !== undefined && r.connection !== connection)) {
      throw new SyncError('CONFIG_INVALID', `run "${runId.slice(0, 80)}" not found${connection === undefined ? '' : ` for connection "${connection}"`} (list runs with \`dynsync runs <connection>\`)`);
    }
    return { ids: [r.runId], idle: false };
  }
  const running = await query.running(connection);
  if (running.length > 0) return { ids: running.map((r) => r.runId), idle: false };
  const last = await query.latest(connection);
  if (!last && connection !== undefined) await (await ctx.connections()).get(connection); // CONNECTION_NOT_FOUND
  return { ids: last ? [last.runId] : [], idle: true };
}

async function watermarksOf(query: StatusQuery, runs: readonly RunView[], connection: string | undefined): Promise<Map<string, WatermarkView[]>> {
  const ids = new Set([...runs.flatMap((r) => r.connection ?? []), ...(connection === undefined ? [] : [connection])]);
  const out = new Map<string, WatermarkView[]>();
  for (const id of [...ids].sort()) out.set(id, await query.watermarks(id));
  return out;
}

async function run(ctx: CliContext, argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommand(spec, argv);
  rejectExtraPositionals(spec, positionals);
  const intervalMs = parseInterval(values.interval);
  const connection = values.connection;
  if (connection !== undefined && !CONNECTION_ID.test(connection)) throw usageError(spec.name, '--connection is not a connection id (lower-case letters, digits, _ and -)');
  const query = new StatusQuery(await ctx.stateDb());
  const { ids, idle } = await pickRuns(ctx, query, connection, values.run);
  const once = values.once === true;
  const mode: Mode = values.json ? (once ? 'json' : 'ndjson') : once || idle ? 'frame' : ctx.io.isTty ? 'tty' : 'lines';
  const columns = () => (ctx.io.isTty ? (ctx.io.columns?.() ?? 80) : undefined);
  const stop = new AbortController();
  const offInterrupt = ctx.io.onInterrupt?.(() => stop.abort());
  let history: History = new Map();
  let prev: StatusSnapshot | undefined;
  let drawn = 0;
  try {
    for (;;) {
      const runs = await query.byIds(ids);
      const active = runs.some((r) => isRunning(r.status));
      const built = buildSnapshot(runs, history, systemClock.nowMs(), active ? undefined : await watermarksOf(query, runs, connection));
      history = built.history;
      const snap = built.snapshot;
      // A followed run that is already over on the first reading is shown as a static view.
      const shown: Mode = prev === undefined && !snap.active && (mode === 'tty' || mode === 'lines') ? 'frame' : mode;
      if (shown === 'json') ctx.io.out(toJsonText(snap));
      else if (shown === 'ndjson' && (prev === undefined || changeLines(prev, snap).length > 0)) ctx.io.out(`${JSON.stringify(snap)}\n`);
      else if (shown === 'lines') ctx.io.out(changeLines(prev, snap).map((l) => `${l}\n`).join(''));
      else if (shown === 'frame') ctx.io.out(`${idleHeadline(snap, idle, connection)}${renderFrame(snap, { columns: columns(), unicode: ctx.io.isTty === true }).map((l) => `${l}\n`).join('')}`);
      else if (shown === 'tty') {
        if (drawn === 0) ctx.io.out(HIDE_CURSOR);
        const lines = renderFrame(snap, { columns: columns(), unicode: true });
        if (snap.active) lines.push(`(reading every ${intervalMs / 1000} s; Ctrl-C to stop)`);
        ctx.io.out(`${rewind(drawn)}${lines.join('\n')}\n`);
        drawn = lines.length;
      }
      prev = snap;
      if (!snap.active || once) return statusExitCode(snap);
      if (stop.signal.aborted) return 130;
      try {
        await sleep(intervalMs, stop.signal);
      } catch {
        return 130; // Ctrl-C: the run goes on, only the view stops
      }
    }
  } finally {
    offInterrupt?.();
    if (drawn > 0) ctx.io.out(SHOW_CURSOR);
  }
}

function idleHeadline(s: StatusSnapshot, idle: boolean, connection: string | undefined): string {
  if (!idle) return '';
  const of = connection === undefined ? '' : ` for "${connection}"`;
  if (s.runs.length === 0) return `No runs yet${of}. Start one with \`dynsync sync ${connection ?? '<connection>'}\`.\n`;
  return `No run in progress${of}. Latest run:\n`;
}

/** The `status` command. */
export const statusCommand: CliCommand = { spec, run };
