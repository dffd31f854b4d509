/**
 * What the coordinator does with a command it reads from `sync.commands` (pure): a command whose key matches
 * another deployment's connections is not this deployment's; one older than the maximum age when read is expired
 * (reported, never carried out); anything else is acted on (validated, then run or dead-lettered). A brand-new
 * coordinator group reads the commands that were already waiting (command-start.ts), so a command sent before the
 * first coordinator started is carried out as long as it is younger than the maximum age.
 */
import type { Command } from '../../contracts/command.ts';

/** The disposition of one command. */
export type CommandDisposition = 'other-deployment' | 'expired' | 'act';

/** The settings the disposition depends on. */
export interface CommandAgePolicy {
  /** COORDINATOR_COMMAND_MAX_AGE_MS. */
  maxAgeMs: number;
  /** COORDINATOR_CONNECTIONS: the connection ids (command keys) of this deployment. */
  connections: RegExp;
}

/**
 * Decides by the key and the time the command was sent (its Kafka timestamp). A command without a key is acted on
 * (validation rejects it to sync.dlq); a timestamp ahead of `nowMs` (clock skew) counts as age 0.
 */
export function commandDisposition(key: string | null, sentMs: number, nowMs: number, policy: CommandAgePolicy): CommandDisposition {
  if (key !== null && !policy.connections.test(key)) return 'other-deployment';
  return Number.isFinite(sentMs) && nowMs - sentMs > policy.maxAgeMs ? 'expired' : 'act';
}

/** A duration for people: `50 min`, `25.5 h`, `3.0 days`. */
export function formatAge(ms: number): string {
  if (ms < 3_600_000) return `${Math.max(1, Math.round(ms / 60_000))} min`;
  if (ms < 72 * 3_600_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  return `${(ms / 86_400_000).toFixed(1)} days`;
}

/** The reason an expired command gives in its run (`dynsync runs`) and in the log: one line, what to do. */
export function expiredCommandMessage(command: Pick<Command, 'kind' | 'connection' | 'requestedBy'>, sentMs: number, nowMs: number, maxAgeMs: number): string {
  const verb = command.kind === 'full-resync' ? 'resync' : 'sync';
  return `the ${command.kind} command sent ${new Date(sentMs).toISOString()} by ${command.requestedBy} was ${formatAge(nowMs - sentMs)} old when a coordinator read it (COORDINATOR_COMMAND_MAX_AGE_MS is ${formatAge(maxAgeMs)}): not carried out; send it again with \`dynsync ${verb} ${command.connection}\``;
}
