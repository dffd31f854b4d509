/**
 * A minimal PostgreSQL client for the local stack's own checks (health, CREATE EXTENSION): protocol 3.0 over TCP
 * to 127.0.0.1, user and database `postgres`, `trust` authentication only, one simple query, rows as text. The
 * project has no PostgreSQL driver and does not need one for this.
 */
import { createConnection } from 'node:net';

/** Runs `sql` as one simple query; resolves to its rows (text values, null for NULL), rejects with the server's error. */
export function pgQuery(port: number, sql: string, timeoutMs = 5_000): Promise<(string | null)[][]> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const rows: (string | null)[][] = [];
    let buf = Buffer.alloc(0);
    let queried = false;
    let failure: Error | undefined;
    const finish = (err?: Error) => {
      socket.destroy();
      if (err) reject(err);
      else resolve(rows);
    };
    socket.setTimeout(timeoutMs, () => finish(new Error(`PostgreSQL on port ${port}: no answer within ${timeoutMs} ms`)));
    socket.once('error', (err) => finish(err));
    socket.once('close', () => finish(failure ?? new Error(`PostgreSQL on port ${port} closed the connection`)));
    socket.once('connect', () => socket.write(startupMessage()));
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 5 && buf.length >= 1 + buf.readInt32BE(1)) {
        const type = String.fromCharCode(buf[0]!);
        const body = buf.subarray(5, 1 + buf.readInt32BE(1));
        buf = buf.subarray(1 + buf.readInt32BE(1));
        if (type === 'R' && body.readInt32BE(0) !== 0) return finish(new Error(`PostgreSQL on port ${port} asks for a password: pg_hba.conf must trust loopback`));
        if (type === 'E') failure ??= new Error(`PostgreSQL on port ${port}: ${errorText(body)}`);
        if (type === 'D') rows.push(dataRow(body));
        if (type !== 'Z') continue;
        if (failure || queried) {
          socket.write(Buffer.from([0x58, 0, 0, 0, 4])); // Terminate
          return finish(failure);
        }
        queried = true;
        socket.write(message('Q', Buffer.from(`${sql}\0`)));
      }
      if (failure && !queried) finish(failure); // an error before ReadyForQuery (e.g. still starting up) ends the session
    });
  });
}

function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

function startupMessage(): Buffer {
  const params = Buffer.from('user\0postgres\0database\0postgres\0application_name\0dynsync-infra\0\0');
  const msg = Buffer.alloc(8 + params.length);
  msg.writeInt32BE(msg.length, 0);
  msg.writeInt32BE(196_608, 4); // protocol 3.0
  params.copy(msg, 8);
  return msg;
}

function dataRow(body: Buffer): (string | null)[] {
  const values: (string | null)[] = [];
  let at = 2;
  for (let i = 0; i < body.readInt16BE(0); i++) {
    const len = body.readInt32BE(at);
    at += 4;
    values.push(len < 0 ? null : body.toString('utf8', at, at + len));
    at += Math.max(len, 0);
  }
  return values;
}

/** The severity, SQLSTATE and message fields of an ErrorResponse. */
function errorText(body: Buffer): string {
  const fields = new Map<string, string>();
  for (let at = 0; at < body.length && body[at] !== 0; ) {
    const end = body.indexOf(0, at + 1);
    fields.set(String.fromCharCode(body[at]!), body.toString('utf8', at + 1, end));
    at = end + 1;
  }
  return `${fields.get('M') ?? 'error'} (${fields.get('V') ?? fields.get('S') ?? 'ERROR'} ${fields.get('C') ?? ''})`.trim();
}
