/**
 * The tasks that replace a split window: one per half, one level deeper, pointing at their parent. Child ids are
 * derived from the parent's (`<parent>.0`, `<parent>.1`), so a redelivered parent that splits again publishes the
 * same children (the coordinator sees the same ids; extracting a child twice is harmless, Invariant 4). Pure.
 */
import type { SyncTask } from '../../contracts/control-messages.ts';
import type { WindowHalves } from './window.ts';

/** The two child tasks of `parent` for `halves` (attempt 0, depth + 1, same run, table and kind). */
export function childTasks(parent: SyncTask, halves: WindowHalves): [SyncTask, SyncTask] {
  const child = (index: 0 | 1, bounds: { from: Date; to: Date }): SyncTask => ({
    taskId: `${parent.taskId}.${index}`,
    runId: parent.runId,
    connection: parent.connection,
    table: parent.table,
    kind: parent.kind,
    runStart: parent.runStart,
    from: bounds.from,
    to: bounds.to,
    attempt: 0,
    depth: parent.depth + 1,
    parentTaskId: parent.taskId,
  });
  return [child(0, halves.first), child(1, halves.second)];
}
