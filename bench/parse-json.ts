/**
 * Parse benchmark: `parseDataverseJson` on a real 5,000-row page of `new_widget` (bench/widget-page.ts), against
 * plain `JSON.parse` (the floor: it loses precision) and the source-text reviver (the former implementation).
 * Checks that the current parser and the reviver give deep-equal results before timing.
 *
 *   npx node bench/parse-json.ts [--rows 5000] [--formatted true] [--iterations 30]
 */
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { parseDataverseJson } from '../services/dataverse/mapping/parse-dataverse-json.ts';
import { fetchWidgetPage } from './widget-page.ts';

type SourceReviver = (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown;
const keepNumberSource: SourceReviver = (_key, value, context) => (typeof value === 'number' && context?.source !== undefined ? context.source : value);

/** The reviver-based parser (the implementation before the single-pass one): the reference for exactness. */
export function parseWithReviver(text: string): unknown {
  return JSON.parse(text, keepNumberSource as (this: unknown, key: string, value: unknown) => unknown);
}

/** One timed parser. */
export interface ParseTiming {
  readonly parser: string;
  readonly msPerPage: number;
  readonly mbPerSec: number;
  readonly rowsPerSec: number;
}

function time(name: string, fn: (text: string) => unknown, text: string, rows: number, iterations: number): ParseTiming {
  for (let i = 0; i < 5; i++) fn(text);
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    fn(text);
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  const ms = samples[Math.floor(samples.length / 2)] ?? 0;
  return { parser: name, msPerPage: Number(ms.toFixed(2)), mbPerSec: Math.round(Buffer.byteLength(text) / 1e6 / (ms / 1000)), rowsPerSec: Math.round(rows / (ms / 1000)) };
}

/** Times the parsers on one page; throws if the current parser's result differs from the reviver's. */
export async function benchParse({ rows = 5_000, formatted = false, iterations = 30 } = {}): Promise<{ bytes: number; timings: ParseTiming[] }> {
  const text = await fetchWidgetPage({ rows, formatted });
  if (!isDeepStrictEqual(parseDataverseJson(text), parseWithReviver(text))) throw new Error('parseDataverseJson differs from the reviver parser');
  const timings = [
    time('JSON.parse (inexact floor)', (t) => JSON.parse(t), text, rows, iterations),
    time('reviver (source text)', parseWithReviver, text, rows, iterations),
    time('parseDataverseJson', parseDataverseJson, text, rows, iterations),
  ];
  return { bytes: Buffer.byteLength(text), timings };
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { rows: { type: 'string', default: '5000' }, formatted: { type: 'string', default: 'false' }, iterations: { type: 'string', default: '30' } } });
  const r = await benchParse({ rows: Number(values.rows), formatted: values.formatted === 'true', iterations: Number(values.iterations) });
  console.log(`new_widget page: ${values.rows} rows, ${(r.bytes / 1e6).toFixed(2)} MB (median of ${values.iterations})`);
  console.table(r.timings);
}
