import { describe, expect, it } from 'vitest';
import type { SyncTask } from '../../contracts/control-messages.ts';
import { childTasks } from './child-tasks.ts';
import { splitWindow } from './window.ts';

const parent: SyncTask = {
  taskId: 't1',
  runId: 'r1',
  connection: 'c1',
  table: 'account',
  kind: 'full',
  runStart: new Date('2024-02-01T00:00:00Z'),
  from: new Date('2024-01-01T00:00:00Z'),
  to: new Date('2024-01-01T00:00:11Z'),
  attempt: 3,
  depth: 2,
  parentTaskId: 't0',
};

describe('childTasks', () => {
  it.each([
    ['first', 0, 't1.0', '2024-01-01T00:00:00Z', '2024-01-01T00:00:05Z'],
    ['second', 1, 't1.1', '2024-01-01T00:00:05Z', '2024-01-01T00:00:11Z'],
  ] as const)('%s child', (_name, index, taskId, from, to) => {
    const child = childTasks(parent, splitWindow(parent.from, parent.to)!)[index];
    expect(child).toEqual({ ...parent, taskId, from: new Date(from), to: new Date(to), attempt: 0, depth: 3, parentTaskId: 't1' });
  });

  it('is deterministic, so a re-split publishes the same ids', () => {
    const halves = splitWindow(parent.from, parent.to)!;
    expect(childTasks(parent, halves).map((t) => t.taskId)).toEqual(childTasks(parent, halves).map((t) => t.taskId));
  });
});
