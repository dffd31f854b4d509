/**
 * Operator commands on `sync.commands` (pure validation). JSON, key = connection id:
 * `{"kind":"refresh"|"full-resync","connection":"<id>","tables":["account"]?,"requestedBy":"...","requestedAt":"<ISO>"?}`.
 * Anything else (not JSON, unknown kind, unknown field, key ≠ connection) is rejected with a reason for sync.dlq.
 */
import { z } from 'zod';
import type { SyncKind } from '../../shared/control-messages.ts';

const CONNECTION_ID = /^[a-z0-9][a-z0-9_-]{0,47}$/;
const TABLE = /^[a-z][a-z0-9_]{0,127}$/;

/** The command schema (unknown fields are refused so that a typo such as `table` cannot widen a run). */
export const commandSchema = z.strictObject({
  kind: z.enum(['refresh', 'full-resync']),
  connection: z.string().regex(CONNECTION_ID, 'a connection id: lower-case letters, digits, _ and -'),
  tables: z.array(z.string().regex(TABLE, 'a table logical name')).min(1).max(10_000).optional(),
  requestedBy: z.string().trim().min(1).max(200),
  /** When the operator asked (informational; the CLI sets it). */
  requestedAt: z.iso.datetime({ offset: true }).optional(),
});

/** A valid command. */
export type Command = z.infer<typeof commandSchema>;

/** The run kind a command asks for: refresh = incremental (the refresh button), full-resync = full. */
export function runKindOf(command: Command): SyncKind {
  return command.kind === 'full-resync' ? 'full' : 'incremental';
}

/** Validates a command message; the reason names every problem. */
export function parseCommand(key: string | null, value: string | null): { ok: true; command: Command } | { ok: false; reason: string } {
  if (value === null || value.trim() === '') return { ok: false, reason: 'command has no value (expected a JSON object)' };
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch (err) {
    return { ok: false, reason: `command is not JSON: ${(err as Error).message}` };
  }
  const parsed = commandSchema.safeParse(json);
  if (!parsed.success) {
    return { ok: false, reason: `invalid command: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}` };
  }
  if (key !== parsed.data.connection) {
    return { ok: false, reason: `command key ${key === null ? '(none)' : `"${key.slice(0, 60)}"`} must equal its connection "${parsed.data.connection}"` };
  }
  return { ok: true, command: parsed.data };
}
