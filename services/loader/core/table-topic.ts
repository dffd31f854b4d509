/**
 * Where a table topic's records go in MongoDB (pure): `dynamics.<connection>.<table>` → database
 * `<prefix><connection>`, collection `<table>`. Names are validated so a topic name can never address another
 * database or a system collection.
 */
import { SyncError } from '../../shared/errors.ts';
import { tableDatabase } from '../../contracts/stored-document.ts';

/** The MongoDB destination of one table topic. */
export interface TableDestination {
  connection: string;
  table: string;
  database: string;
  collection: string;
}

const CONNECTION = /^[a-z0-9][a-z0-9_-]{0,47}$/;
const TABLE = /^[a-z0-9_]{1,128}$/;

/** Resolves a table topic; throws RECORD_INVALID for anything that is not `dynamics.<connection>.<table>`. */
export function destinationOf(topic: string, databasePrefix: string): TableDestination {
  const parts = topic.split('.');
  const [prefix, connection, table] = parts;
  if (parts.length !== 3 || prefix !== 'dynamics' || !connection || !table || !CONNECTION.test(connection) || !TABLE.test(table)) {
    throw new SyncError('RECORD_INVALID', `topic "${topic.slice(0, 200)}" is not a table topic (dynamics.<connection>.<table>)`);
  }
  return { connection, table, database: tableDatabase(databasePrefix, connection), collection: table };
}
