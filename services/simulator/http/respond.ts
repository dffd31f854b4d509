/**
 * Writing responses the way Dataverse and Entra ID do: the standard header set (server `Date` from the
 * simulated clock, `OData-Version`, `REQ_ID`, `x-ms-service-request-id`, ...) and the error body shapes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Headers every data API response carries, in addition to per-request ones. */
export function dataHeaders(nowMs: number, reqId: string): Record<string, string> {
  return {
    Date: new Date(nowMs).toUTCString(),
    'Cache-Control': 'no-cache',
    Expires: '-1',
    'OData-Version': '4.0',
    REQ_ID: reqId,
    'x-ms-service-request-id': reqId,
    'CRM.ServiceId': 'framework',
    'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
    'Set-Cookie': 'ARRAffinity=0c5e1f5b2f4d1a8e; path=/; secure; HttpOnly',
    'access-control-expose-headers': 'Preference-Applied,OData-EntityId,Location,ETag,OData-Version,Content-Encoding,Transfer-Encoding,Content-Length,Retry-After',
  };
}

/** Sends a complete body with the given status and headers. */
export function send(res: ServerResponse, status: number, body: string | Buffer, headers: Record<string, string | number>): void {
  const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, { ...headers, 'Content-Length': buf.length });
  res.end(buf);
}

/** JSON content type of OData responses. */
export const ODATA_JSON = 'application/json; odata.metadata=minimal';

/** Sends a Dataverse error body `{"error":{"code","message"}}`. */
export function sendODataError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string | number>): void {
  send(res, status, JSON.stringify({ error: { code, message } }), { ...headers, 'Content-Type': 'application/json; odata.metadata=minimal' });
}

/** Sends plain JSON (Entra and control API). */
export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string | number> = {}): void {
  send(res, status, JSON.stringify(value), { 'Content-Type': 'application/json; charset=utf-8', ...headers });
}

/** Reads a request body up to `limit` bytes. */
export async function readBytes(req: IncomingMessage, limit = 1 << 20): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new RangeError('request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Reads a request body up to `limit` bytes as UTF-8 text. */
export async function readBody(req: IncomingMessage, limit = 1 << 20): Promise<string> {
  return (await readBytes(req, limit)).toString('utf8');
}
