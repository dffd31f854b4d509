import { describe, expect, it } from 'vitest';
import type { CoordinatorEvent, EventBody } from '../../contracts/control-messages.ts';
import { emptyBook, foldEvent, isTaskComplete, type RunBook } from './run-state.ts';
import { rootTaskId } from './task-id.ts';
import { producedOffsets, tableProgress, windowCounts } from './run-views.ts';

const H = 3_600_000;
const T0 = Date.UTC(2026, 5, 1, 12);
const w1 = { fromMs: T0 - 2 * H, toMs: T0 - H };
const w2 = { fromMs: T0 - H, toMs: T0 };
const A = rootTaskId('r1', 'account', w1);
const B = rootTaskId('r1', 'account', w2);
const child = (parent: string, from: number, to: number) => rootTaskId(parent, 'x', { fromMs: from, toMs: to }).replace('/x/', '/');

let n = 0;
const ev = (event: EventBody, runId = 'r1'): CoordinatorEvent => ({ eventId: `e${n++}`, connection: 'c1', runId, at: new Date(T0 + n * 1000), event });
const started = ev({
  type: 'RunStarted',
  kind: 'incremental',
  runStart: new Date(T0),
  requestedBy: 't',
  tables: [
    { table: 'account', from: new Date(w1.fromMs), to: new Date(T0), taskIds: [A, B] },
    { table: 'empty', from: new Date(T0), to: new Date(T0), taskIds: [] },
  ],
});
const done = (taskId: string, count = 10, offsets = [{ partition: 0, offset: 5 }]): EventBody => ({
  type: 'TaskCompleted', taskId, table: 'account', count, maxModifiedOn: null, topic: 'dynamics.c1.account', offsets, durationMs: 1,
});
const failed = (taskId: string, attempt: number, retriable = true): EventBody => ({ type: 'TaskFailed', taskId, table: 'account', attempt, code: 'DATAVERSE_UNAVAILABLE', retriable, message: 'boom' });
const split = (taskId: string, childTaskIds: string[]): EventBody => ({ type: 'TaskSplit', taskId, table: 'account', childTaskIds, reason: 'too big' });

function fold(events: EventBody[]): { book: RunBook; outcomes: string[] } {
  const book = emptyBook();
  const outcomes = [foldEvent(book, started, '7'), ...events.map((e) => foldEvent(book, ev(e)))];
  return { book, outcomes };
}
const account = (book: RunBook) => book.runs.get('r1')!.tables.get('account')!;

describe('foldEvent', () => {
  const A1 = child(A, w1.fromMs, w1.fromMs + H / 2);
  const A2 = child(A, w1.fromMs + H / 2, w1.toMs);
  it.each([
    ['nothing done', [], false, [0, 2]],
    ['one of two windows', [done(A)], false, [1, 2]],
    ['both windows', [done(A), done(B)], true, [2, 2]],
    ['completion replayed', [done(A), done(A), done(B)], true, [2, 2]],
    ['split, children pending', [split(A, [A1, A2]), done(B)], false, [1, 3]],
    ['split, children complete', [split(A, [A1, A2]), done(A1), done(A2), done(B)], true, [3, 3]],
    ['child completed before its split arrived', [done(A1), done(B), split(A, [A1, A2]), done(A2)], true, [3, 3]],
    ['failed then retried successfully', [failed(B, 0), done(A), done(B)], true, [2, 2]],
    ['failed only', [done(A), failed(B, 0)], false, [1, 2]],
  ])('%s', (_n, events, complete, [doneWindows, total]) => {
    const { book } = fold(events);
    const t = account(book);
    expect(t.completedAtMs !== null).toBe(complete);
    expect(tableProgress(t)).toMatchObject({ windowsDone: doneWindows, windowsTotal: total });
  });

  it('reports duplicates, buffered and ignored events', () => {
    const { outcomes } = fold([done(A), done(A), done('unknown-task'), failed(B, 0), failed(B, 0)]);
    expect(outcomes).toEqual(['applied', 'applied', 'duplicate', 'buffered', 'applied', 'duplicate']);
    const book = emptyBook();
    expect(foldEvent(book, ev(done(A)))).toBe('ignored'); // run unknown (before the replay point)
    expect(foldEvent(book, started, '7')).toBe('applied');
    expect(foldEvent(book, started, '9')).toBe('duplicate');
    expect(book.runs.get('r1')!.startOffset).toBe('7');
  });

  it('a table with no window is complete at once', () => {
    const { book } = fold([]);
    expect(book.runs.get('r1')!.tables.get('empty')!.completedAtMs).not.toBeNull();
  });

  it('ignores task events after the run ended', () => {
    const { book, outcomes } = fold([{ type: 'RunFailed', code: 'X', message: 'm' }, done(A), { type: 'RunCompleted', tables: [] }]);
    expect(outcomes.slice(1)).toEqual(['applied', 'ignored', 'duplicate']);
    expect(book.runs.get('r1')!.status).toBe('failed');
    expect(account(book).tasks.get(A)!.status).toBe('pending');
  });

  it('children whose ids name a window inside the parent get it; others inherit the parent window', () => {
    const { book } = fold([split(A, [A1, 'opaque-child', child(A, w2.fromMs, w2.toMs)])]);
    const t = account(book);
    expect(t.tasks.get(A1)!.window).toEqual({ fromMs: w1.fromMs, toMs: w1.fromMs + H / 2 });
    expect(t.tasks.get('opaque-child')!.window).toBeNull();
    expect(t.tasks.get(child(A, w2.fromMs, w2.toMs))!.window).toBeNull(); // outside the parent: not trusted
  });

  it('never re-parents a known task (no cycles)', () => {
    const { book } = fold([split(A, [B])]);
    expect(account(book).tasks.get(B)!.parentTaskId).toBeNull();
    expect(isTaskComplete(account(book), A)).toBe(true); // a split with no new child is complete
  });
});

describe('run views', () => {
  it('counts per root window (split windows sum their children) and max offsets per partition', () => {
    const A1 = child(A, w1.fromMs, w1.fromMs + H / 2);
    const { book } = fold([split(A, [A1, 'c2']), done(A1, 3, [{ partition: 0, offset: 9 }]), done('c2', 4, [{ partition: 1, offset: 2 }]), done(B, 5, [{ partition: 0, offset: 4 }])]);
    expect(windowCounts(account(book))).toEqual([
      { ...w1, count: 7 },
      { ...w2, count: 5 },
    ]);
    expect(producedOffsets(book.runs.get('r1')!)).toEqual([
      { topic: 'dynamics.c1.account', partition: 0, offset: 9 },
      { topic: 'dynamics.c1.account', partition: 1, offset: 2 },
    ]);
  });
});
