import { describe, expect, it } from 'vitest';
import type { CoordinatorEvent, EventBody } from '../../contracts/control-messages.ts';
import { DELTA_EXPIRED_CODE, deltaTaskId, fallbackRequestId, isDeltaTaskId, linkedWindowTaskId, takesDeltaLink } from './delta-task.ts';
import { decide } from './run-decisions.ts';
import { planRun } from './run-plan.ts';
import { emptyBook, foldEvent, type RunState } from './run-state.ts';
import { tableProgress } from './run-views.ts';
import { rootTaskId, windowOfTaskId } from './task-id.ts';

const H = 3_600_000;
const T0 = Date.UTC(2026, 5, 1, 12);
const A = rootTaskId('r1', 'account', { fromMs: T0 - H, toMs: T0 });
const D = deltaTaskId('r1', 'account');
const LINK = 'https://org/api/data/v9.2/accounts?$select=accountid&$deltatoken=5%2101%2f01%2f2026%2000%3a00%3a00';
const NEW_LINK = LINK.replace('5%21', '9%21');
const opts = { maxAttempts: 3, runTimeoutMs: 24 * H, overlapMs: 300_000 };

function run(kind: 'full' | 'incremental', events: EventBody[]): RunState {
  const book = emptyBook();
  const e = (event: EventBody, i: number): CoordinatorEvent => ({ eventId: `e${i}`, connection: 'c1', runId: 'r1', at: new Date(T0 + i * 1000), event });
  foldEvent(book, e({ type: 'RunStarted', kind, runStart: new Date(T0), requestedBy: 't', tables: [{ table: 'account', from: new Date(T0 - H), to: new Date(T0), taskIds: [D, A], deltaLink: LINK }] }, 0));
  events.forEach((ev, i) => foldEvent(book, e(ev, i + 1)));
  return book.runs.get('r1')!;
}
const window = (): EventBody => ({ type: 'TaskCompleted', taskId: A, table: 'account', count: 4, maxModifiedOn: null, topic: 't', offsets: [], durationMs: 1 });
const delta = (deltaLink: string | null): EventBody => ({ type: 'TaskCompleted', taskId: D, table: 'account', count: 3, maxModifiedOn: null, topic: 't', offsets: [{ partition: 0, offset: 7 }], durationMs: 1, deltaLink });
const deltaFailed = (code: string, retriable: boolean): EventBody => ({ type: 'TaskFailed', taskId: D, table: 'account', attempt: 0, code, retriable, message: 'expired' });
const summary = (r: RunState) =>
  decide(r, opts, T0).map((a) => (a.type === 'commit-watermark' ? `commit:${a.deltaLink === null ? 'no-link' : a.deltaLink === NEW_LINK ? 'new-link' : a.deltaLink}` : a.type === 'retry-task' ? `retry:${a.task.delta?.link === LINK ? 'same-link' : 'other'}` : a.type));

describe('delta task ids', () => {
  it.each([
    [deltaTaskId('r1', 'account'), true],
    [A, false],
    [`${A}.0`, false],
  ])('%s is a delta task: %s', (id, expected) => expect(isDeltaTaskId(id)).toBe(expected));
  it('names no window and a distinct fallback run', () => {
    expect(windowOfTaskId(D)).toBeNull();
    expect(fallbackRequestId('r1', 'account')).toBe('r1-deltafallback-account');
  });
});

describe('planRun with change-tracked tables', () => {
  const base = { runId: 'r1', connection: 'c1', requestedBy: 't', serverTimeMs: T0 + 60_000 };
  const popts = { safetyLagMs: 60_000, overlapMs: 300_000, targetWindows: 2, minWindowMs: 1000, singleRows: 5000, windowRows: 4000 };
  it.each([
    ['stored link, incremental', 'incremental', { link: LINK }, LINK],
    ['no link yet', 'full', { link: null }, null],
  ] as const)('%s: one delta task, first, carrying the link', (_n, kind, d, link) => {
    const plan = planRun({ ...base, kind, tables: [{ table: 'account', watermarkMs: T0 - H, history: [], delta: d }] }, popts);
    expect(plan.tasks[0]).toMatchObject({ taskId: D, delta: { link }, kind, runStart: new Date(T0) });
    expect(plan.tasks.filter((t) => t.delta)).toHaveLength(1);
    expect(plan.tables[0]).toMatchObject({ deltaLink: link, taskIds: [D, ...plan.tasks.slice(1).map((t) => t.taskId)] });
  });
  it('no delta task for a table without change tracking; a delta task even when the window range is empty', () => {
    const plain = planRun({ ...base, kind: 'incremental', tables: [{ table: 'new_importlog', watermarkMs: T0 - H, history: [] }] }, popts);
    expect(plain.tasks.some((t) => t.delta)).toBe(false);
    expect(plain.tables[0]!.deltaLink).toBeNull();
    const empty = planRun({ ...base, kind: 'incremental', tables: [{ table: 'account', watermarkMs: T0 + 10 * H, history: [], delta: { link: LINK } }] }, popts);
    expect(empty.tables[0]!.taskIds).toEqual([D]);
  });
});

describe('fold and decisions of a delta task', () => {
  it.each([
    ['windows done, delta pending: wait', 'incremental', [window()], []],
    ['delta done with a new link: commit watermark and link', 'incremental', [window(), delta(NEW_LINK)], ['commit:new-link']],
    ['delta done without link (old extractor): commit watermark only', 'incremental', [delta(null), window()], ['commit:no-link']],
    ['transient failure: retry with the same link', 'incremental', [deltaFailed('DATAVERSE_UNAVAILABLE', true)], ['retry:same-link']],
    ['expired in an incremental: fall back, and the table still completes', 'incremental', [window(), deltaFailed(DELTA_EXPIRED_CODE, false)], ['fallback-full', 'commit:no-link']],
    ['expired before the windows end: fall back now', 'full', [deltaFailed(DELTA_EXPIRED_CODE, false)], ['fallback-full']],
    ['another non-retriable failure fails the run', 'incremental', [deltaFailed('DATAVERSE_BAD_REQUEST', false)], ['fail-run']],
  ] as const)('%s', (_n, kind, events, expected) => expect(summary(run(kind, [...events]))).toEqual(expected));

  it('an expired delta is final: a later completion is a duplicate, the fallback is asked once per process', () => {
    const r = run('incremental', [deltaFailed(DELTA_EXPIRED_CODE, false), delta(NEW_LINK), window()]);
    expect(r.tables.get('account')!.tasks.get(D)!.status).toBe('expired');
    r.tables.get('account')!.fallbackRequested = true;
    expect(summary(r)).toEqual(['commit:no-link']);
  });

  it.each([
    ['pending', [window()], { status: 'pending', deletes: 0 }, 1],
    ['completed: tombstones counted', [window(), delta(NEW_LINK)], { status: 'completed', deletes: 3 }, 2],
    ['expired', [deltaFailed(DELTA_EXPIRED_CODE, false)], { status: 'expired', deletes: 0 }, 1],
  ] as const)('progress shows the delta task %s', (_n, events, expected, done) => {
    const p = tableProgress(run('incremental', [...events]).tables.get('account')!);
    expect(p.delta).toEqual(expected);
    expect([p.windowsDone, p.windowsTotal]).toEqual([done, 2]);
  });
});

describe('a window that takes its table\'s delta link', () => {
  const W = linkedWindowTaskId(rootTaskId('r1', 'account', { fromMs: T0 - H, toMs: T0 }));
  function linkedRun(events: EventBody[]): RunState {
    const book = emptyBook();
    const e = (event: EventBody, i: number): CoordinatorEvent => ({ eventId: `e${i}`, connection: 'c1', runId: 'r1', at: new Date(T0 + i * 1000), event });
    foldEvent(book, e({ type: 'RunStarted', kind: 'full', runStart: new Date(T0), requestedBy: 't', tables: [{ table: 'account', from: new Date(T0 - H), to: new Date(T0), taskIds: [W], deltaLink: null }] }, 0));
    events.forEach((ev, i) => foldEvent(book, e(ev, i + 1)));
    return book.runs.get('r1')!;
  }
  const done = (deltaLink: string | null, maxModifiedOn: Date | null = null): EventBody => ({ type: 'TaskCompleted', taskId: W, table: 'account', count: 40, maxModifiedOn, topic: 't', offsets: [{ partition: 0, offset: 40 }], durationMs: 1, deltaLink });

  it('is recognised by its id, which still names its window', () => {
    expect([takesDeltaLink(W), isDeltaTaskId(W), takesDeltaLink(A)]).toEqual([true, false, false]);
    expect(windowOfTaskId(W)).toEqual({ fromMs: T0 - H, toMs: T0 });
  });

  it.each([
    ['its link, clean (every row older than T0 − overlap), is committed with the watermark', [done(NEW_LINK, new Date(T0 - H))], [{ type: 'commit-watermark', table: 'account', watermarkMs: T0, deltaLink: NEW_LINK, deltaClean: true }]],
    ['a row modified inside the overlap: committed, not clean', [done(NEW_LINK, new Date(T0 - 1000))], [{ type: 'commit-watermark', table: 'account', watermarkMs: T0, deltaLink: NEW_LINK, deltaClean: false }]],
    ['read by an extractor that knows no takeDeltaLink (no link): the watermark alone', [done(null)], [{ type: 'commit-watermark', table: 'account', watermarkMs: T0, deltaLink: null, deltaClean: false }]],
  ] as const)('%s', (_n, events, expected) => expect(decide(linkedRun([...events]), opts, T0)).toEqual(expected));

  it('a retry reads through change tracking again', () => {
    const r = linkedRun([{ type: 'TaskFailed', taskId: W, table: 'account', attempt: 0, code: 'DATAVERSE_UNAVAILABLE', retriable: true, message: 'down' }]);
    const [action] = decide(r, opts, T0);
    expect(action).toMatchObject({ type: 'retry-task', task: { taskId: W, takeDeltaLink: true, attempt: 1, from: new Date(T0 - H), to: new Date(T0) } });
    expect(action!.type === 'retry-task' && action!.task.delta).toBeFalsy();
  });

  it('progress counts its rows and shows the table\'s delta (no deletes)', () => {
    expect(tableProgress(linkedRun([]).tables.get('account')!)).toMatchObject({ windowsDone: 0, windowsTotal: 1, records: 0, delta: { status: 'pending', deletes: 0 } });
    expect(tableProgress(linkedRun([done(NEW_LINK)]).tables.get('account')!)).toMatchObject({ windowsDone: 1, windowsTotal: 1, records: 40, delta: { status: 'completed', deletes: 0 } });
  });
});
