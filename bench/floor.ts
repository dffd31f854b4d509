/**
 * The floor of the extractor's CPU per row: only parsing the pages exactly (numbers kept as their source text, so
 * decimals, money and big integers stay exact) and Avro-encoding the resulting records in the Confluent wire format,
 * in this process, without any I/O in the timed part. The pages are the extract stage's: the `new_widget` table of N
 * rows from a simulator (a child process, so its CPU is not ours), the extractor's `$select`, annotations and page
 * size, fetched one by one; only the work on each page's text is timed, with `process.cpuUsage()` (user + system,
 * every thread of this process, so V8's garbage-collector threads too).
 *
 * Two paths are timed on the same pages, page by page in turn: `extractor`, the extractor's own parse, map and encode
 * (`splitCollection` of the page's bytes, each row parsed when mapped, the reused record of `rowMapper(…, { reuse:
 * true })`, `WireRecordWriter`), which is the floor reported; and `reference`, the path before it
 * (`parseDataverseJson` of the whole page, a new record per row), which also checks that both give the same bytes
 * for every row.
 *
 *   npx node --max-old-space-size=160 --max-semi-space-size=8 bench/floor.ts --rows 100000 [--page-size 500]
 */
import { parseArgs } from 'node:util';
import { DataverseClient } from '../services/dataverse/client/dataverse-client.ts';
import { createHttpAgent, readCaCertificate } from '../services/dataverse/client/http-agent.ts';
import { buildODataHeaders } from '../services/dataverse/client/odata-headers.ts';
import { discoverTable } from '../services/dataverse/discovery/discover.ts';
import { avroSchemaFor } from '../services/dataverse/mapping/avro-schema.ts';
import { parseDataverseJson, splitCollection } from '../services/dataverse/mapping/parse-dataverse-json.ts';
import { rowMapper } from '../services/dataverse/mapping/row-mapper.ts';
import { WireRecordWriter } from '../services/dataverse/mapping/wire-record-writer.ts';
import { parseOrgUrl } from '../services/dataverse/org/org-url.ts';
import { CURRENCIES_PATH, annotationsFor, currencyMap, windowQuery } from '../services/extractor/core/window-query.ts';
import { simulatorSession, startSimulatorChild } from './simulator.ts';

/** CPU per row of one path. */
export interface FloorPath {
  readonly cpuMicrosPerRow: number;
  readonly cpuSeconds: number;
}

/** The result merged into `npm run bench`. */
export interface FloorBench {
  readonly floor: { readonly cpuMicrosPerRow: number; readonly rows: number; readonly pageSize: number; readonly bytesPerRow: number; readonly reference: FloorPath };
}

/** The extractor's default page size (`DATAVERSE_PAGE_SIZE`). */
const EXTRACTOR_PAGE_SIZE = 500;

/** The page's `@odata.nextLink` (written after the rows), without parsing the page again. */
function nextLinkOf(body: Buffer): string | undefined {
  const text = body.toString('utf8', Math.max(0, body.length - 16_384));
  const at = text.lastIndexOf('"@odata.nextLink"');
  return at === -1 ? undefined : (JSON.parse(`{${text.slice(at, text.indexOf('"', text.indexOf(':', at) + 2) + 1)}}`) as Record<string, string>)['@odata.nextLink'];
}

const cpuMicros = (since: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(since);
  return d.user + d.system;
};

/** Measures the floor on a simulator of `rows` `new_widget` rows (see the module comment). */
export async function benchFloor(rows: number, { pageSize = EXTRACTOR_PAGE_SIZE } = {}): Promise<FloorBench> {
  const child = await startSimulatorChild(['--rows', '100', '--table-rows', `new_widget=${rows}`]);
  const agent = createHttpAgent({ connections: 1, caPem: readCaCertificate(child.env.DATAVERSE_CA_CERT ?? '') });
  try {
    const token = await simulatorSession(child);
    const orgUrl = child.env.DATAVERSE_URL ?? '';
    const client = new DataverseClient({ org: parseOrgUrl(orgUrl, { allowDevHosts: [orgUrl] }), tokenProvider: { getToken: async () => token, invalidate() {} }, dispatcher: agent });
    const table = await discoverTable(client, 'new_widget');
    const currencies = currencyMap(((await client.getJson(CURRENCIES_PATH)) as { value: Record<string, unknown>[] }).value);
    const schema = avroSchemaFor(table, { namespace: 'dynsync', connection: 'bench' });
    const fast = { map: rowMapper(table, currencies, { representation: 'wire', reuse: true }), writer: new WireRecordWriter(schema, 1) };
    const reference = { map: rowMapper(table, currencies, { representation: 'wire' }), writer: new WireRecordWriter(schema, 1) };
    // as the extract stage asks: lookup names off (its default), every row of the table
    const q = windowQuery(table, { fromMs: Date.UTC(1990, 0, 1), toMs: Date.UTC(2100, 0, 1) });
    const headers = buildODataHeaders(token, { maxPageSize: pageSize, annotations: annotationsFor(table, false) });
    let url: string | undefined = `${orgUrl}/api/data/v9.2/${q.path}`;
    let fastMicros = 0;
    let referenceMicros = 0;
    let count = 0;
    let bytes = 0;
    for (let page = 0; url !== undefined; page++) {
      const res: Response = await fetch(url, { headers, dispatcher: agent } as RequestInit);
      if (res.status !== 200) throw new Error(`page ${page}: HTTP ${res.status}`);
      const body = Buffer.from(await res.arrayBuffer());
      bytes += body.length;
      // both paths on every page, alternating which goes first, so neither gets the other's garbage
      const fastFirst = page % 2 === 0;
      let fastValues: Buffer[] = [];
      let referenceValues: Buffer[] = [];
      for (const which of fastFirst ? ['fast', 'reference'] : ['reference', 'fast']) {
        const t0 = process.cpuUsage();
        if (which === 'fast') {
          const split = splitCollection(body);
          const batch = fast.writer.batch();
          fastValues = new Array<Buffer>(split.length);
          for (let i = 0; i < split.length; i++) fastValues[i] = batch.write(fast.map(split.row(i)));
          fastMicros += cpuMicros(t0);
        } else {
          const page = parseDataverseJson(body) as { value: unknown[] };
          const batch = reference.writer.batch();
          referenceValues = page.value.map((row) => batch.write(reference.map(row)));
          referenceMicros += cpuMicros(t0);
        }
      }
      if (fastValues.length !== referenceValues.length || fastValues.some((v, i) => !v.equals(referenceValues[i]!))) {
        throw new Error(`page ${page}: the extractor's path and the reference path wrote different bytes`);
      }
      count += fastValues.length;
      url = nextLinkOf(body);
    }
    if (count !== rows) throw new Error(`expected ${rows} rows, got ${count}`);
    const perRow = (micros: number) => Number((micros / count).toFixed(1));
    return {
      floor: {
        cpuMicrosPerRow: perRow(fastMicros),
        rows: count,
        pageSize,
        bytesPerRow: Math.round(bytes / count),
        reference: { cpuMicrosPerRow: perRow(referenceMicros), cpuSeconds: Number((referenceMicros / 1e6).toFixed(2)) },
      },
    };
  } finally {
    await agent.close();
    child.proc.kill('SIGTERM');
  }
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { rows: { type: 'string', default: '100000' }, 'page-size': { type: 'string', default: String(EXTRACTOR_PAGE_SIZE) } } });
  const r = await benchFloor(Number(values.rows), { pageSize: Number(values['page-size']) });
  console.log(JSON.stringify(r));
}
