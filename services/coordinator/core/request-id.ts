/**
 * Request (and so run) ids (pure, deterministic). A command re-read after a crash, or a schedule slot evaluated
 * twice, yields the same id, so it can never start a second run: the id becomes the run id, and a request whose
 * run already exists is dropped.
 */
import type { SyncKind } from '../../contracts/control-messages.ts';
import { compactTime } from './task-id.ts';

/** The id of a command read at `partition`/`offset` of sync.commands, produced at `timestampMs`. */
export function commandRequestId(connection: string, kind: SyncKind, timestampMs: number, partition: number, offset: string): string {
  return `${connection}-${kind}-${compactTime(Math.floor(timestampMs / 1000) * 1000)}-c${partition}o${offset}`;
}

/** The id of the schedule slot `fireMs` of `kind`. */
export function scheduleRequestId(connection: string, kind: SyncKind, fireMs: number): string {
  return `${connection}-${kind}-${compactTime(Math.floor(fireMs / 1000) * 1000)}-s`;
}
