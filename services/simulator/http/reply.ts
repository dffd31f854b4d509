/** What a data API handler produces; the server writes it (and may truncate it when a fault asks). */
export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string>;
  /**
   * Body chunks, concatenated on the wire. An array is a complete body (sent with Content-Length when it has at
   * most one chunk); any other iterable is produced lazily while the socket drains (pages of rows), read once.
   */
  readonly chunks: readonly string[] | Iterable<string>;
  /** Rows in the body (for stats). */
  readonly rows?: number;
}

/** A Dataverse-style error reply. */
export function errorReply(status: number, code: string, message: string, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'Content-Type': 'application/json; odata.metadata=minimal', ...headers }, chunks: [JSON.stringify({ error: { code, message } })] };
}

/** A JSON reply with the OData content type. */
export function jsonReply(value: unknown, headers: Record<string, string> = {}): Reply {
  return { status: 200, headers: { 'Content-Type': 'application/json; odata.metadata=minimal', ...headers }, chunks: [JSON.stringify(value)] };
}

/** Thrown by handlers to answer with an error reply. */
export class ReplyError extends Error {
  readonly reply: Reply;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.reply = errorReply(status, code, message);
  }
}
