/**
 * OData `$batch` of the Dataverse Web API (reference A6: up to 1,000 operations): a `multipart/mixed` body whose parts
 * are `application/http` requests, or change sets (nested `multipart/mixed`, writes only). Parsing (with
 * @remix-run/multipart-parser) and the multipart response, one `application/http` part per request with its own
 * status. Pure.
 */
import { parse as parseHeaders } from '@remix-run/headers';
import { getMultipartBoundary, MultipartParseError, parseMultipart } from '@remix-run/multipart-parser';

/** Dataverse's limit of operations and change sets in one batch. */
export const MAX_BATCH_OPERATIONS = 1_000;

/** One request of a batch. */
export interface BatchOperation {
  readonly method: string;
  /** The request target as written: absolute URL, absolute path or relative to the service root. */
  readonly target: string;
  readonly headers: Headers;
  /** Set for the operations of a change set (its 1-based number). */
  readonly changeSet?: number;
}

/** A parsed batch, or why it cannot be. */
export type ParsedBatch = { ok: true; operations: BatchOperation[]; changeSets: number } | { ok: false; message: string };

const REQUEST_LINE = /^([A-Z]+) (\S+)(?: HTTP\/\d\.\d)?$/;

function operation(content: Uint8Array, changeSet?: number): BatchOperation | string {
  const text = new TextDecoder().decode(content).replace(/^(\r\n)+/, '');
  const headEnd = text.indexOf('\r\n\r\n');
  const head = headEnd < 0 ? text.trimEnd() : text.slice(0, headEnd);
  const [requestLine = '', ...headerLines] = head.split('\r\n');
  const m = REQUEST_LINE.exec(requestLine.trim());
  if (!m) return `The batch request line '${requestLine.slice(0, 100)}' is not a valid HTTP request line.`;
  return { method: m[1]!, target: m[2]!, headers: parseHeaders(headerLines.join('\r\n')), ...(changeSet !== undefined ? { changeSet } : {}) };
}

/**
 * The body from its first boundary on: RFC 2046 lets a preamble (clients send a CRLF) precede it, which the parser
 * does not skip.
 */
function withoutPreamble(body: Uint8Array, boundary: string): Uint8Array {
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const at = text.indexOf(`--${boundary}`);
  return at > 0 && text.subarray(at - 2, at).toString('latin1') === '\r\n' ? body.subarray(at) : body;
}

/** Parses a `$batch` body sent with `contentType`. */
export function parseBatch(body: Uint8Array, contentType: string | undefined): ParsedBatch {
  const boundary = getMultipartBoundary(contentType ?? '');
  if (!/^multipart\/mixed\b/i.test(contentType ?? '') || !boundary) {
    return { ok: false, message: "The batch request must have a 'Content-Type' header of 'multipart/mixed' with a boundary." };
  }
  const operations: BatchOperation[] = [];
  let changeSets = 0;
  try {
    for (const part of parseMultipart(withoutPreamble(body, boundary), { boundary, maxParts: MAX_BATCH_OPERATIONS * 10 })) {
      const type = part.headers['content-type'] ?? '';
      if (/^multipart\/mixed\b/i.test(type)) {
        const inner = getMultipartBoundary(type);
        changeSets++;
        if (!inner) return { ok: false, message: 'A change set must have a boundary.' };
        for (const op of parseMultipart(withoutPreamble(part.bytes, inner), { boundary: inner, maxParts: MAX_BATCH_OPERATIONS * 10 })) {
          const parsed = operation(op.bytes, changeSets);
          if (typeof parsed === 'string') return { ok: false, message: parsed };
          operations.push(parsed);
        }
      } else {
        const parsed = operation(part.bytes);
        if (typeof parsed === 'string') return { ok: false, message: parsed };
        operations.push(parsed);
      }
      if (operations.length + changeSets > MAX_BATCH_OPERATIONS) break;
    }
  } catch (err) {
    if (err instanceof MultipartParseError) return { ok: false, message: `The batch body is not valid multipart/mixed: ${err.message}` };
    throw err;
  }
  if (operations.length + changeSets > MAX_BATCH_OPERATIONS) {
    return { ok: false, message: `A maximum number of '${MAX_BATCH_OPERATIONS}' query operations and change sets are allowed in a batch message.` };
  }
  return { ok: true, operations, changeSets };
}

/** One response of a batch. */
export interface BatchPart {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** The multipart body of a batch response, one `application/http` part per request, as Dataverse writes it. */
export function batchResponseBody(boundary: string, parts: readonly BatchPart[]): string {
  const out: string[] = [];
  for (const p of parts) {
    out.push(`--${boundary}`, 'Content-Type: application/http', 'Content-Transfer-Encoding: binary', '', `HTTP/1.1 ${p.status} ${p.statusText}`);
    for (const [k, v] of Object.entries(p.headers)) out.push(`${k}: ${v}`);
    out.push('', p.body);
  }
  out.push(`--${boundary}--`, '');
  return out.join('\r\n');
}
