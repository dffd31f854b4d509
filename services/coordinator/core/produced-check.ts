/**
 * Does Kafka hold what a table's completed tasks claim (pure)? The fold applies a TaskCompleted only to a task the run
 * issued (a root task of RunStarted, or a child announced by the split of one). Before a table's watermark moves
 * (Invariant 2), every completed task that reports records must also name the table's own topic, and each partition
 * offset it reports (the highest produced + 1) must exist: at most the partition's end offset, which the extractor's
 * acknowledged sends have reached. A TaskCompleted forged by anyone who can write sync.coordinator, claiming records
 * that were never produced, or produced elsewhere, is so refused: the run fails and the watermark stays (the next run
 * extracts the range again). Only ACLs stop a forged completion that claims no record at all (SECURITY.md).
 */
import type { TableRunState } from './run-state.ts';

/** The problems of `table`'s completed tasks against `ends` (partition → end offset of `topic`; null: no such topic). */
export function producedProblems(table: TableRunState, topic: string, ends: ReadonlyMap<number, number> | null): string[] {
  const problems: string[] = [];
  for (const task of table.tasks.values()) {
    if (task.status !== 'completed' || (task.count === 0 && task.offsets.length === 0)) continue;
    if (task.topic !== topic) {
      problems.push(`task ${task.taskId} reports its records in ${JSON.stringify(task.topic)}, not in ${topic}`);
      continue;
    }
    const seen = new Set<number>();
    for (const o of task.offsets) {
      if (seen.has(o.partition)) problems.push(`task ${task.taskId} reports partition ${o.partition} twice`);
      seen.add(o.partition);
      const end = ends?.get(o.partition);
      if (end === undefined) problems.push(`task ${task.taskId} reports partition ${o.partition} of ${topic}, which ${ends ? 'does not exist' : 'is not a topic'}`);
      else if (!Number.isSafeInteger(o.offset) || o.offset < 1 || o.offset > end) problems.push(`task ${task.taskId} reports offset ${o.offset} in ${topic}[${o.partition}], whose end is ${end}`);
    }
  }
  return problems;
}

/** True when some completed task of `table` reports records (the check then needs the topic's end offsets). */
export function claimsRecords(table: TableRunState): boolean {
  for (const task of table.tasks.values()) if (task.status === 'completed' && (task.count > 0 || task.offsets.length > 0)) return true;
  return false;
}
