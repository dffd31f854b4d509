/**
 * When the loader lists the cluster's topics again to find new table topics (pure). A listing is a metadata response
 * naming every topic the principal may see (thousands on a shared cluster), so the loader lists only when the end of
 * `sync.tasks` moved since its last listing (the coordinator creates a run's table topics before it publishes their
 * tasks), when that end cannot be read, and at least every {@link FULL_LISTING_EVERY} checks (topics made otherwise).
 */

/** A listing happens at least every this many checks. */
export const FULL_LISTING_EVERY = 12;

/** What the last listing saw. */
export interface Listing {
  /** The end of sync.tasks read just before it (undefined: unreadable). */
  mark: string | undefined;
  /** Checks since it. */
  checks: number;
}

/** True when the check that read `mark` must list the topics again. */
export function listingDue(last: Listing | undefined, mark: string | undefined): boolean {
  if (last === undefined || mark === undefined || last.mark === undefined) return true;
  return mark !== last.mark || last.checks + 1 >= FULL_LISTING_EVERY;
}

/** The end offsets of a topic's partitions as one comparable text. */
export function endMark(offsets: readonly { partition: number; offset: string }[]): string {
  return [...offsets].sort((a, b) => a.partition - b.partition).map((o) => `${o.partition}:${o.offset}`).join(',');
}
