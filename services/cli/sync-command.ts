/**
 * Builds the operator command the CLI produces to `sync.commands` (the contract: contracts/command.ts), keyed by
 * connection id. Pure: the time is an argument.
 */
import { SyncError } from '../shared/errors.ts';
import { commandSchema, type Command } from '../contracts/command.ts';
import { CONNECTION_ID, TABLE_NAME } from '../contracts/ids.ts';

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
  kind: Command['kind'];
  connection: string;
  tables?: 'all' | readonly string[];
  requestedBy: string;
  now: Date;
}): Command {
  if (!CONNECTION_ID.test(input.connection)) {
    throw new SyncError('CONFIG_INVALID', `"${input.connection.slice(0, 64)}" is not a connection id (lower-case letters, digits, _ and -)`);
  }
  const tables = input.tables === undefined || input.tables === 'all' ? undefined : parseTableList(input.tables.join(','));
  // Key order is part of the documented format: kind, connection, tables?, requestedBy, requestedAt.
  const command: Command = {
    kind: input.kind,
    connection: input.connection,
    ...(Array.isArray(tables) ? { tables } : {}),
    requestedBy: input.requestedBy,
    requestedAt: input.now.toISOString(),
  };
  // what the coordinator accepts: a command it would refuse is never sent
  const checked = commandSchema.safeParse(command);
  if (!checked.success) throw new SyncError('CONFIG_INVALID', `command refused: ${checked.error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; ')}`);
  return command;
}
