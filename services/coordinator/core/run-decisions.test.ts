import { describe, expect, it } from 'vitest';
import type { CoordinatorEvent, EventBody } from '../../contracts/control-messages.ts';
import { canRetry, decide } from './run-decisions.ts';
import { emptyBook, foldEvent, type RunState } from './run-state.ts';
import { rootTaskId } from './task-id.ts';
import { tableResults } from './run-views.ts';

const H = 3_600_000;
const T0 = Date.UTC(2026, 5, 1, 12);
const A = rootTaskId('r1', 'account', { fromMs: T0 - H, toMs: T0 });
const C = rootTaskId('r1', 'contact', { fromMs: T0 - H, toMs: T0 });
const opts = { maxAttempts: 3, runTimeoutMs: 24 * H, overlapMs: 300_000 };
const at = (s: number) => new Date(T0 + s * 1000);

function run(events: EventBody[]): RunState {
  const book = emptyBook();
  const e = (event: EventBody, i: number): CoordinatorEvent => ({ eventId: `e${i}`, connection: 'c1', runId: 'r1', at: at(i), event });
  foldEvent(book, e({ type: 'RunStarted', kind: 'full', runStart: new Date(T0), requestedBy: 't', tables: [
    { table: 'account', from: new Date(T0 - H), to: new Date(T0), taskIds: [A] },
    { table: 'contact', from: new Date(T0 - H), to: new Date(T0), taskIds: [C] },
  ] }, 0));
  events.forEach((ev, i) => foldEvent(book, e(ev, i + 1)));
  return book.runs.get('r1')!;
}
const done = (taskId: string, table: string): EventBody => ({ type: 'TaskCompleted', taskId, table, count: 2, maxModifiedOn: null, topic: `dynamics.c1.${table}`, offsets: [], durationMs: 1 });
const failed = (attempt: number, retriable = true): EventBody => ({ type: 'TaskFailed', taskId: A, table: 'account', attempt, code: 'DATAVERSE_UNAVAILABLE', retriable, message: 'down' });

describe('canRetry (retry budget)', () => {
  it.each([
    [{ attempt: 0, retriable: true }, 3, true],
    [{ attempt: 1, retriable: true }, 3, true],
    [{ attempt: 2, retriable: true }, 3, false],
    [{ attempt: 0, retriable: false }, 3, false],
    [{ attempt: 0, retriable: true }, 1, false],
  ])('%o with max %d → %s', (f, max, expected) => expect(canRetry(f, max)).toBe(expected));
});

describe('decide', () => {
  it.each([
    ['nothing done: wait', [], []],
    ['one table complete: commit its watermark only', [done(A, 'account')], ['commit-watermark:account']],
    ['both complete: commit both (then complete)', [done(A, 'account'), done(C, 'contact')], ['commit-watermark:account', 'commit-watermark:contact']],
    ['retriable failure within budget: retry with attempt + 1', [failed(0)], ['retry-task:1']],
    ['second failure: retry again', [failed(0), failed(1)], ['retry-task:2']],
    ['budget spent: fail the run', [failed(0), failed(1), failed(2)], ['fail-run:DATAVERSE_UNAVAILABLE']],
    ['not retriable: fail the run', [done(C, 'contact'), failed(0, false)], ['fail-run:DATAVERSE_UNAVAILABLE']],
  ])('%s', (_n, events, expected) => {
    const actions = decide(run(events), opts, T0);
    expect(actions.map((a) => `${a.type}${a.type === 'commit-watermark' ? `:${a.table}` : a.type === 'retry-task' ? `:${a.task.attempt}` : a.type === 'fail-run' ? `:${a.code}` : ''}`)).toEqual(expected);
  });

  it('retries the same window, id and run start', () => {
    const [a] = decide(run([failed(0)]), opts, T0);
    expect(a).toMatchObject({ type: 'retry-task', task: { taskId: A, runId: 'r1', table: 'account', kind: 'full', attempt: 1, from: new Date(T0 - H), to: new Date(T0), depth: 0, parentTaskId: null } });
  });

  it('does not repeat a retry or a watermark commit already done in this process, and completes after the commits', () => {
    const r = run([failed(0)]);
    r.tables.get('account')!.tasks.get(A)!.retriedAttempt = 1;
    expect(decide(r, opts, T0)).toEqual([]);
    const ok = run([done(A, 'account'), done(C, 'contact')]);
    for (const t of ok.tables.values()) t.watermarkCommitted = true;
    expect(decide(ok, opts, T0)).toEqual([{ type: 'complete-run' }]);
  });

  it('fails a run past its deadline', () => {
    expect(decide(run([]), opts, T0 + 25 * H)).toEqual([expect.objectContaining({ type: 'fail-run', code: 'RUN_TIMEOUT' })]);
  });

  it('decides nothing for a finished run', () => {
    expect(decide(run([{ type: 'RunFailed', code: 'X', message: 'm' }, done(A, 'account')]), opts, T0)).toEqual([]);
  });

  it('reports per-table counts, durations and watermarks', () => {
    const r = run([done(A, 'account'), done(C, 'contact')]);
    expect(tableResults(r, () => T0)).toEqual([
      { table: 'account', count: 2, durationMs: 1000, watermark: new Date(T0) },
      { table: 'contact', count: 2, durationMs: 2000, watermark: new Date(T0) },
    ]);
  });
});
