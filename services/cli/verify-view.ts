/**
 * Text and JSON of `dynsync verify` (pure): one row per table (source rows, stored documents, missing, extra, stale,
 * result) and a total row, then the example ids and the reasons of incomplete tables, then a verdict line; the
 * progress lines printed on stderr while it runs.
 */
import { oneLine, renderTable } from './format.ts';
import { isWhole, verifyExitCode, verifyTotals, type TableVerify } from './core/verify-tally.ts';
import { formatCount } from '../shared/display-format.ts';

/** The `--json` document. */
export interface VerifyReport {
  connection: string;
  /** The MongoDB database of the connection's tables. */
  database: string;
  /** True when every table is whole (exit code 0). */
  whole: boolean;
  total: ReturnType<typeof verifyTotals>;
  tables: TableVerify[];
}

/** The report of a verification. */
export function verifyReport(connection: string, database: string, tables: readonly TableVerify[]): VerifyReport {
  return { connection, database, whole: verifyExitCode(tables) === 0, total: verifyTotals(tables), tables: [...tables] };
}

const resultOf = (t: TableVerify) => (t.incomplete !== null ? 'incomplete' : isWhole(t) ? 'ok' : 'differs');

/** The text report. */
export function formatVerify(r: VerifyReport): string {
  const total = { ...r.total, table: 'total', result: r.whole ? 'ok' : 'differs' };
  const rows = [...r.tables.map((t) => ({ ...t, result: resultOf(t) })), ...(r.tables.length > 1 ? [total] : [])];
  let out = renderTable(rows, [
    { header: 'TABLE', value: (t) => t.table },
    { header: 'SOURCE', value: (t) => formatCount(t.source), right: true },
    { header: 'STORED', value: (t) => formatCount(t.stored), right: true },
    { header: 'MISSING', value: (t) => formatCount(t.missing), right: true },
    { header: 'EXTRA', value: (t) => formatCount(t.extra), right: true },
    { header: 'STALE', value: (t) => formatCount(t.stale), right: true },
    { header: 'RESULT', value: (t) => t.result },
  ]);
  const notes = r.tables.flatMap((t) => tableNotes(t));
  if (notes.length > 0) out += `\n${notes.join('\n')}\n`;
  return `${out}\n${verdictLine(r)}\n`;
}

function tableNotes(t: TableVerify): string[] {
  const kinds = (['missing', 'extra', 'stale'] as const).filter((k) => t.examples[k].length > 0 && t[k] > 0);
  const examples = kinds.map((k) => `${t.table}: ${k} e.g. ${t.examples[k].join(', ')}${t[k] > t.examples[k].length ? ', …' : ''}`);
  return [...examples, ...(t.incomplete === null ? [] : [`${t.table}: incomplete: ${oneLine(t.incomplete)}`])];
}

/** The last line: whole, or what differs. */
function verdictLine(r: VerifyReport): string {
  const t = r.total;
  const of = `"${r.connection}" (database ${r.database})`;
  if (r.whole) return `The copy of ${of} is whole: ${t.tables} table${t.tables === 1 ? '' : 's'}, ${formatCount(t.source)} rows, nothing missing, extra or stale.`;
  const parts = [`${formatCount(t.missing)} missing`, `${formatCount(t.extra)} extra`, `${formatCount(t.stale)} stale`];
  const incomplete = t.incomplete > 0 ? `; ${t.incomplete} table${t.incomplete === 1 ? '' : 's'} not compared completely` : '';
  return `The copy of ${of} differs from Dataverse: ${parts.join(', ')}${incomplete}.`;
}

/** The progress line of a table being compared (rewritten in place on a terminal). */
export function verifyProgressLine(table: string, windows: number, stored: number): string {
  return `verifying ${table}: ${windows} window${windows === 1 ? '' : 's'}, ${formatCount(stored)} documents compared`;
}

/** The line printed on stderr when a table is done. */
export function tableDoneLine(t: TableVerify, ms: number): string {
  const counts = `${formatCount(t.source)} source rows, ${formatCount(t.stored)} documents: ${formatCount(t.missing)} missing, ${formatCount(t.extra)} extra, ${formatCount(t.stale)} stale`;
  return `verified ${t.table} in ${(ms / 1000).toFixed(1)} s: ${counts}${t.incomplete === null ? '' : ' (incomplete)'}`;
}
