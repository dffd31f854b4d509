import { describe, expect, it } from 'vitest';
import { claimsRecords, producedProblems } from './produced-check.ts';
import type { TableRunState, TaskState } from './run-state.ts';

const TOPIC = 'dynamics.acme.account';
const task = (taskId: string, t: Partial<TaskState> = {}): TaskState => ({
  taskId, parentTaskId: null, depth: 0, window: null, status: 'completed', failures: [], children: [], count: 0, topic: TOPIC, offsets: [], completedAtMs: 1, deltaLink: null, retriedAttempt: null, ...t,
});
const table = (...tasks: TaskState[]): TableRunState => ({
  table: 'account', fromMs: 0, toMs: 1, rootTaskIds: tasks.map((t) => t.taskId), tasks: new Map(tasks.map((t) => [t.taskId, t])), orphans: new Map(),
  completedAtMs: 1, watermarkCommitted: false, deltaLink: null, fallbackRequested: false,
});
const ends = new Map([[0, 120], [1, 7]]);

describe('producedProblems', () => {
  it.each<[string, TaskState[], ReadonlyMap<number, number> | null, RegExp[]]>([
    ['records at or below the end of each partition', [task('t1', { count: 10, offsets: [{ partition: 0, offset: 120 }, { partition: 1, offset: 3 }] })], ends, []],
    ['an empty window (no record, no offset)', [task('t1', { topic: null })], null, []],
    ['a pending or failed task is not looked at', [task('t1', { status: 'pending', count: 5, offsets: [{ partition: 0, offset: 999 }] })], ends, []],
    // forged: records that were never produced
    ['an offset beyond the end', [task('t1', { count: 1, offsets: [{ partition: 0, offset: 121 }] })], ends, [/offset 121 in dynamics\.acme\.account\[0\], whose end is 120/]],
    ['a partition the topic does not have', [task('t1', { count: 1, offsets: [{ partition: 6, offset: 1 }] })], ends, [/partition 6 of dynamics\.acme\.account, which does not exist/]],
    ['a topic that does not exist', [task('t1', { count: 1, offsets: [{ partition: 0, offset: 1 }] })], null, [/which is not a topic/]],
    ['records in another topic', [task('t1', { count: 3, topic: 'dynamics.evil.account', offsets: [{ partition: 0, offset: 1 }] })], ends, [/reports its records in "dynamics\.evil\.account", not in dynamics\.acme\.account/]],
    ['a partition twice', [task('t1', { count: 3, offsets: [{ partition: 0, offset: 1 }, { partition: 0, offset: 2 }] })], ends, [/partition 0 twice/]],
    ['a zero or negative offset', [task('t1', { count: 1, offsets: [{ partition: 1, offset: 0 }] })], ends, [/offset 0 in/]],
  ])('%s', (_name, tasks, e, expected) => {
    const problems = producedProblems(table(...tasks), TOPIC, e);
    expect(problems).toHaveLength(expected.length);
    expected.forEach((re, i) => expect(problems[i]).toMatch(re));
  });

  it('claimsRecords: only completed tasks that report records need the end offsets', () => {
    expect(claimsRecords(table(task('a'), task('b', { status: 'pending', count: 3 })))).toBe(false);
    expect(claimsRecords(table(task('a', { count: 2, offsets: [{ partition: 0, offset: 2 }] })))).toBe(true);
  });
});
