/**
 * Co-partitioned assignment (pure): partition p of every subscribed topic goes to the same group member, so the
 * instance that owns a connection's events on `sync.coordinator` (key = connection) also receives its commands on
 * `sync.commands` (same key, same partition count, same partitioner). Members are taken in sorted order and
 * partitions dealt round-robin by number, so every member computes the same answer.
 */

/** Member id → topic → partitions. */
export type Assignment = Record<string, Record<string, number[]>>;

/** Assigns partition p of each topic to `sorted(members)[p % members]`. */
export function coPartitionedAssignment(memberIds: readonly string[], partitionsByTopic: Readonly<Record<string, readonly number[]>>): Assignment {
  const members = [...memberIds].sort();
  const out: Assignment = {};
  for (const m of members) out[m] = {};
  if (members.length === 0) return out;
  for (const [topic, partitions] of Object.entries(partitionsByTopic)) {
    for (const p of [...partitions].sort((a, b) => a - b)) {
      const m = members[p % members.length]!;
      (out[m]![topic] ??= []).push(p);
    }
  }
  return out;
}
