/**
 * Operator commands on `sync.commands`, as the CLI sends them and the coordinator validates them (pure). JSON, key =
 * connection id:
 * `{"kind":"refresh"|"full-resync","connection":"<id>","tables":["account"]?,"requestedBy":"...","requestedAt":"<ISO>"?}`.
 * Anything else (not JSON, unknown kind, unknown field, key ≠ connection) is rejected with a reason for sync.dlq.
 */
import { z } from 'zod';
import type { SyncKind } from './control-messages.ts';
import { CONNECTION_ID, TABLE_NAME } from './ids.ts';

/** The command schema (unknown fields are refused so that a typo such as `table` cannot widen a run). */
export const commandSchema = z.strictObject({
  kind: z.enum(['refresh', 'full-resync']),
  connection: z.string().regex(CONNECTION_ID, 'a connection id: lower-case letters, digits, _ and -'),
  tables: z.array(z.string().regex(TABLE_NAME, 'a table logical name')).min(1).max(10_000).optional(),
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

/** The shape every rejection points to, so the operator knows what to send instead. */
export const COMMAND_FORMAT =
  '{"kind":"refresh"|"full-resync","connection":"<id>","tables":["<table>",...] (optional),"requestedBy":"<who>","requestedAt":"<ISO 8601>" (optional)} with key = connection';

/** The longest reason kept: a reason travels in a log line and a DLQ header, never as a copy of a huge input. */
export const MAX_REASON_LENGTH = 600;

/** `tables[0]`, `requestedBy`, or `the value` for the root. */
function fieldOf(path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'the value';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i > 0 ? '.' : ''}${String(p).slice(0, 60)}`)).join('');
}

/** A zod issue in words, without echoing long input (an unknown key is shown cut to 60 characters). */
function issueText(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.slice(0, 5).map((k) => JSON.stringify(k.length > 60 ? `${k.slice(0, 60)}…` : k));
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${keys.join(', ')}${issue.keys.length > 5 ? ` and ${issue.keys.length - 5} more` : ''} (a typo such as "table" is refused so it cannot widen a run)`;
  }
  return `${fieldOf(issue.path)}: ${issue.message}`;
}

function rejected(problem: string): { ok: false; reason: string } {
  const text = problem.length > MAX_REASON_LENGTH ? `${problem.slice(0, MAX_REASON_LENGTH)}…` : problem;
  return { ok: false, reason: `${text}. Expected ${COMMAND_FORMAT}` };
}

/**
 * Validates a command message. The reason names every problem (field by field), ends with the expected format,
 * and never copies the input beyond a cut unknown key name or the key (it may hold anything, a token included):
 * a JSON syntax error gives the position only. A leading byte-order mark is ignored.
 */
export function parseCommand(key: string | null, value: string | null): { ok: true; command: Command } | { ok: false; reason: string } {
  if (value === null || value.trim() === '') return rejected('command has no value (expected a JSON object)');
  let json: unknown;
  try {
    json = JSON.parse(value.replace(/^\uFEFF/, ''));
  } catch (err) {
    const at = /position (\d+)/.exec((err as Error).message)?.[1];
    return rejected(`command is not JSON (syntax error${at === undefined ? '' : ` at character ${Number(at) + 1}`}; the value has ${value.length} characters)`);
  }
  const parsed = commandSchema.safeParse(json);
  if (!parsed.success) return rejected(`invalid command: ${parsed.error.issues.map(issueText).join('; ')}`);
  if (key !== parsed.data.connection) {
    return rejected(`command key ${key === null ? '(none)' : `"${key.slice(0, 60)}"`} must equal its connection "${parsed.data.connection}"`);
  }
  return { ok: true, command: parsed.data };
}
