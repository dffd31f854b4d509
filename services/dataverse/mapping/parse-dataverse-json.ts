/**
 * Parsing Dataverse response bodies without losing numeric precision. `JSON.parse` turns `922337203685477.5807`
 * into a double (and `20000.0000` into `20000`); money and decimals must stay exact (DESIGN.md §3). This parser
 * uses the source-text access of `JSON.parse` revivers (Node ≥ 22, V8 "JSON.parse with source") and keeps EVERY
 * JSON number as its exact source text.
 */
import { SyncError } from '../../shared/errors.ts';

/** The third argument Node passes to a `JSON.parse` reviver: the source text of primitive values. */
interface ReviverContext {
  source?: string;
}

type SourceReviver = (this: unknown, key: string, value: unknown, context?: ReviverContext) => unknown;

const keepNumberSource: SourceReviver = (_key, value, context) =>
  typeof value === 'number' && context?.source !== undefined ? context.source : value;

/**
 * Parses a Dataverse JSON body (a page of rows, a metadata body, an error body). Every JSON number comes back as
 * a string holding its exact source text (`"20000.0000"`, `"80648695"`, `"1E-10"`); strings, booleans, nulls,
 * arrays and objects are as usual. Callers convert counts with `Number(...)`; the row mapper reads numbers from
 * these strings. Throws `DATAVERSE_PAYLOAD_INVALID` when the text is not JSON (the message gives the parser's
 * reason, never the body, which may hold customer data).
 */
export function parseDataverseJson(text: string): unknown {
  try {
    return JSON.parse(text, keepNumberSource as (this: unknown, key: string, value: unknown) => unknown);
  } catch (err) {
    const reason = err instanceof Error ? err.message.replace(/".*"/s, '…') : 'unknown error';
    throw new SyncError('DATAVERSE_PAYLOAD_INVALID', `Dataverse returned a body that is not JSON: ${reason}`);
  }
}
