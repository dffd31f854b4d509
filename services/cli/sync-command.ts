/**
 * The operator command the CLI produces to `sync.commands` (architecture.md §4), keyed by connection id, as JSON:
 * `{"kind":"refresh"|"full-resync","connection":"<id>","tables":[...]?,"requestedBy":"cli:<user>","requestedAt":"ISO"}`.
 * The coordinator validates the same shape; keep the two in step. Pure: the time is an argument.
 */
import { SyncError } from '../shared/errors.ts';
import { CONNECTION_ID } from '../dataverse/connections/connection.ts';

/** What a command asks for: an incremental refresh now, or a complete resynchronisation. */
export type SyncCommandKind = 'refresh' | 'full-resync';

/** The JSON value of a `sync.commands` message. `tables` absent = every table of the connection. */
export interface SyncCommand {
  kind: SyncCommandKind;
  connection: string;
  tables?: string[];
  requestedBy: string;
  requestedAt: string;
}

/** A table logical name, as the connection model accepts it. */
export const TABLE_NAME = /^[a-z][a-z0-9_]{0,127}$/;

/**
 * Parses a `--tables` value: `all`, or comma-separated logical names (trimmed, lower-cased, de-duplicated in
 * order). CONFIG_INVALID names the first invalid entry; an empty list is invalid.
 */
export function parseTableList(text: string): 'all' | string[] {
  const names = text.split(',').map((t) => t.trim().toLowerCase()).filter(Boolean);
  if (names.length === 1 && names[0] === 'all') return 'all';
  if (names.length === 0) throw new SyncError('CONFIG_INVALID', '--tables is empty: give `all` or logical names such as account,contact');
  const bad = names.find((n) => !TABLE_NAME.test(n) || n === 'all');
  if (bad !== undefined) throw new SyncError('CONFIG_INVALID', `--tables: "${bad.slice(0, 64)}" is not a table logical name (lower-case letters, digits and _, e.g. account,new_widget)`);
  return [...new Set(names)];
}

/** Builds a command; CONFIG_INVALID for an invalid connection id or table name. */
export function buildSyncCommand(input: {
  kind: SyncCommandKind;
  connection: string;
  tables?: 'all' | readonly string[];
  requestedBy: string;
  now: Date;
}): SyncCommand {
  if (!CONNECTION_ID.test(input.connection)) {
    throw new SyncError('CONFIG_INVALID', `"${input.connection.slice(0, 64)}" is not a connection id (lower-case letters, digits, _ and -)`);
  }
  const tables = input.tables === undefined || input.tables === 'all' ? undefined : parseTableList(input.tables.join(','));
  // Key order is part of the documented format: kind, connection, tables?, requestedBy, requestedAt.
  const command: SyncCommand = {
    kind: input.kind,
    connection: input.connection,
    ...(Array.isArray(tables) ? { tables } : {}),
    requestedBy: input.requestedBy,
    requestedAt: input.now.toISOString(),
  };
  return command;
}
