/**
 * Connections persisted in MongoDB (database `DYNSYNC_STATE_DB`, default `dynsync`, collection `connections`),
 * validated on read and write. Secrets are never stored here (they are sealed by secrets/).
 */
import type { Db } from 'mongodb';
import { SyncError } from '../../shared/errors.ts';
import { connectionSchema, type Connection } from './connection.ts';

/** The collection of connections. */
export const CONNECTIONS_COLLECTION = 'connections';

type Stored = Omit<Connection, 'id'> & { _id: string };

/** Reads and writes connections. */
export class ConnectionStore {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  private get coll() {
    return this.db.collection<Stored>(CONNECTIONS_COLLECTION);
  }

  /** Creates or replaces a connection. */
  async put(connection: Connection): Promise<void> {
    const { id, ...rest } = connectionSchema.parse(connection);
    await this.coll.replaceOne({ _id: id }, rest, { upsert: true });
  }

  /** The connection `id`, or CONNECTION_NOT_FOUND naming it and how to create it. */
  async get(id: string): Promise<Connection> {
    const doc = await this.coll.findOne({ _id: id });
    if (!doc) throw new SyncError('CONNECTION_NOT_FOUND', `connection "${id}" does not exist: create it with \`dynsync connect --name ${id} ...\` or list them with \`dynsync connections list\``);
    return fromStored(doc);
  }

  /** Every connection, by id. */
  async list(): Promise<Connection[]> {
    return (await this.coll.find().sort({ _id: 1 }).toArray()).map(fromStored);
  }

  /** Removes a connection; false if it did not exist. */
  async remove(id: string): Promise<boolean> {
    return (await this.coll.deleteOne({ _id: id })).deletedCount === 1;
  }
}

function fromStored({ _id, ...rest }: Stored): Connection {
  const parsed = connectionSchema.safeParse({ id: _id, ...rest });
  if (!parsed.success) throw new SyncError('CONFIG_INVALID', `stored connection "${_id}" is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
