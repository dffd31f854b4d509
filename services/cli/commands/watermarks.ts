/**
 * `dynsync watermarks <connection>`: the committed watermark of each table (state database, collection
 * `watermarks`, `_id` = `<connection>/<table>`): the next incremental run reads records modified since then.
 */
import type { CliCommand, CliContext } from '../cli-context.ts';
import { CONNECTION_ARGUMENT, JSON_OPTION, parseCommandWithId, type CommandSpec } from '../command-spec.ts';
import { formatDate, renderTable, toJsonText } from '../format.ts';
import { normalizeWatermark } from '../run-status.ts';
import { STATE_COLLECTIONS } from '../../contracts/run-document.ts';
import { watermarkIdRange } from '../../contracts/ids.ts';

/** The collection the coordinator commits watermarks to. */

const spec = {
  name: 'watermarks',
  summary: 'Show the watermark of every table of a connection: the start of its last successful run.',
  positionals: CONNECTION_ARGUMENT,
  options: { json: JSON_OPTION },
  examples: ['dynsync watermarks acme', 'dynsync watermarks acme --json'],
} as const satisfies CommandSpec;

async function run(ctx: CliContext, argv: readonly string[]): Promise<number> {
  const { values, id } = parseCommandWithId(spec, argv);
  const db = await ctx.stateDb();
  const docs = await db.collection<Record<string, unknown>>(STATE_COLLECTIONS.watermarks).find({ _id: watermarkIdRange(id) as never }).sort({ _id: 1 }).toArray();
  if (docs.length === 0) await (await ctx.connections()).get(id); // unknown connection → CONNECTION_NOT_FOUND
  const marks = docs.map((d) => normalizeWatermark(d));
  if (values.json) {
    ctx.io.out(toJsonText({ connection: id, watermarks: marks }));
    return 0;
  }
  if (marks.length === 0) {
    ctx.io.out(`No watermark yet for "${id}": no run has completed. The first run reads every record.\n`);
    return 0;
  }
  ctx.io.out(
    renderTable(marks, [
      { header: 'TABLE', value: (m) => m.table },
      { header: 'WATERMARK', value: (m) => formatDate(m.watermark) },
      { header: 'RUN', value: (m) => m.runId ?? '-' },
      { header: 'UPDATED', value: (m) => formatDate(m.updatedAt) },
    ]),
  );
  return 0;
}

/** The `watermarks` command. */
export const watermarksCommand: CliCommand = { spec, run };
