import { describe, expect, it } from 'vitest';
import { planRun, rangeStartFor, runStartFor, type TableInput } from './run-plan.ts';
import { compactTime, parseCompactTime, rootTaskId, windowOfTaskId } from './task-id.ts';
import { FULL_RANGE_START_MS } from './windows.ts';

const SERVER = Date.UTC(2026, 5, 1, 12, 0, 30, 0);
const opts = { safetyLagMs: 60_000, overlapMs: 300_000, targetWindows: 4, minWindowMs: 1000, singleRows: 5000, windowRows: 4000 };

describe('runStartFor (T0)', () => {
  it.each([
    [SERVER, 60_000, Date.UTC(2026, 5, 1, 11, 59, 30)],
    [SERVER + 999, 60_000, Date.UTC(2026, 5, 1, 11, 59, 30)],
    [SERVER, 0, SERVER],
  ])('server %d − lag %d → %d', (server, lag, t0) => expect(runStartFor(server, lag)).toBe(t0));
});

describe('rangeStartFor', () => {
  const wm = Date.UTC(2026, 5, 1, 10);
  it.each([
    ['full with watermark', 'full', wm, FULL_RANGE_START_MS],
    ['incremental without watermark', 'incremental', null, FULL_RANGE_START_MS],
    ['incremental: watermark − overlap', 'incremental', wm, wm - 300_000],
  ] as const)('%s', (_n, kind, watermark, expected) => expect(rangeStartFor(kind, watermark, 300_000)).toBe(expected));
});

describe('task ids', () => {
  it.each([
    [Date.UTC(2026, 0, 2, 3, 4, 5), '20260102T030405Z'],
    [FULL_RANGE_START_MS, '17530101T000000Z'],
  ])('compactTime(%d) = %s and back', (ms, text) => {
    expect(compactTime(ms)).toBe(text);
    expect(parseCompactTime(text)).toBe(ms);
  });

  it.each([
    ['r1/account/20260101T000000Z_20260101T010000Z', { fromMs: Date.UTC(2026, 0, 1), toMs: Date.UTC(2026, 0, 1, 1) }],
    ['r1/account/20260101T000000Z_20260101T010000Z+delta', { fromMs: Date.UTC(2026, 0, 1), toMs: Date.UTC(2026, 0, 1, 1) }],
    ['r1/account/20260101T000000Z_20260101T010000Z+other', null],
    ['r1/account/20260101T010000Z_20260101T000000Z', null],
    ['r1/account/20261301T000000Z_20270101T000000Z', null],
    ['some-extractor-child-7', null],
    ['a/b_c', null],
  ])('windowOfTaskId(%s)', (id, expected) => expect(windowOfTaskId(id)).toEqual(expected));

  it('round-trips a root id', () => {
    const w = { fromMs: FULL_RANGE_START_MS, toMs: Date.UTC(2026, 0, 1) };
    expect(windowOfTaskId(rootTaskId('run-1', 'account', w))).toEqual(w);
  });
});

describe('planRun', () => {
  const t0 = runStartFor(SERVER, 60_000);
  const input = {
    runId: 'c1-incremental-x',
    connection: 'c1',
    kind: 'incremental' as const,
    requestedBy: 'test',
    serverTimeMs: SERVER,
    tables: [
      { table: 'contact', watermarkMs: t0 - 2 * 3_600_000, history: [] },
      { table: 'account', watermarkMs: null, history: [] },
      { table: 'team', watermarkMs: t0 + 600_000, history: [] },
    ],
  };
  const plan = planRun(input, opts);

  it('orders tables by name and gives each its range', () => {
    expect(plan.runStartMs).toBe(t0);
    expect(plan.tables.map((t) => [t.table, t.from.getTime(), t.to.getTime()])).toEqual([
      ['account', FULL_RANGE_START_MS, t0],
      ['contact', t0 - 2 * 3_600_000 - 300_000, t0],
      ['team', t0, t0], // a watermark ahead of T0 (clock moved back): nothing to do, empty range
    ]);
    expect(plan.tables[2]!.taskIds).toEqual([]);
  });

  it('publishes one root task per window, tiling each range, with ids naming the window', () => {
    for (const t of plan.tables) {
      const tasks = plan.tasks.filter((k) => k.table === t.table);
      expect(tasks.map((k) => k.taskId)).toEqual(t.taskIds);
      if (tasks.length === 0) continue;
      expect(tasks[0]!.from).toEqual(t.from);
      expect(tasks.at(-1)!.to).toEqual(t.to);
      for (const k of tasks) {
        expect(windowOfTaskId(k.taskId)).toEqual({ fromMs: k.from.getTime(), toMs: k.to.getTime() });
        expect(k).toMatchObject({ runId: input.runId, connection: 'c1', kind: 'incremental', attempt: 0, depth: 0, parentTaskId: null });
        expect(k.runStart.getTime()).toBe(t0);
      }
    }
    expect(plan.tasks.filter((k) => k.table === 'account')).toHaveLength(4);
  });

  it('is deterministic', () => expect(planRun(input, opts)).toEqual(plan));
});

describe('planRun sized by the data', () => {
  const t0 = runStartFor(SERVER, 60_000);
  const wm = t0 - 2 * 3_600_000;
  const base = { runId: 'r1', connection: 'c1', requestedBy: 'test', serverTimeMs: SERVER };
  const plan = (size: TableInput['size'], extra: Partial<TableInput> = {}, kind: 'full' | 'incremental' = 'incremental') =>
    planRun({ ...base, kind, tables: [{ table: 'account', watermarkMs: wm, history: [], size, ...extra }] }, opts);
  const windowTasks = (p: ReturnType<typeof planRun>) => p.tasks.filter((k) => !k.delta);

  it.each<[string, TableInput['size'], number, number | null]>([
    ['nothing known: targetWindows probed windows', undefined, 4, null],
    ['a count of 0: no window', { kind: 'count', rows: 0, capped: false }, 0, null],
    ['a small count: one window read in one go', { kind: 'count', rows: 42, capped: false }, 1, 42],
    ['a capped count: probed windows', { kind: 'count', rows: 5000, capped: true }, 4, null],
    ['an estimate above one page: rows / windowRows probed windows', { kind: 'estimate', rows: 12_000 }, 3, null],
  ])('%s', (_n, size, windows, expectedRows) => {
    const tasks = windowTasks(plan(size));
    expect(tasks).toHaveLength(windows);
    for (const k of tasks) expect(k.expectedRows ?? null).toBe(expectedRows);
    if (tasks.length > 0) {
      expect(tasks[0]!.from.getTime()).toBe(wm - 300_000);
      expect(tasks.at(-1)!.to.getTime()).toBe(t0);
    }
  });

  it('a full run of a small table is one window over the whole range', () => {
    const tasks = windowTasks(plan({ kind: 'estimate', rows: 1500 }, {}, 'full'));
    expect(tasks.map((k) => [k.from.getTime(), k.to.getTime(), k.expectedRows])).toEqual([[FULL_RANGE_START_MS, t0, 1500]]);
  });

  it('an unchanged change-tracked table planned without window and without delta task is still in the run (its watermark moves)', () => {
    const p = plan({ kind: 'count', rows: 0, capped: false }, { delta: null });
    expect(p.tasks).toEqual([]);
    expect(p.tables).toEqual([{ table: 'account', from: new Date(wm - 300_000), to: new Date(t0), taskIds: [], deltaLink: null }]);
  });

  it('a delta task without any window', () => {
    const p = plan({ kind: 'count', rows: 0, capped: false }, { delta: { link: 'L' } });
    expect(p.tasks.map((k) => [k.taskId, k.delta])).toEqual([['r1/account/delta', { link: 'L' }]]);
    expect(p.tables[0]!.taskIds).toEqual(['r1/account/delta']);
  });

  // a change-tracked table: which tasks read its rows and take its delta link
  const tasksOf = (p: ReturnType<typeof planRun>) => p.tasks.map((k) => ({ id: k.taskId.replace(/^r1\/account\//, ''), delta: k.delta ?? null, takeDeltaLink: k.takeDeltaLink ?? null, expectedRows: k.expectedRows ?? null }));
  const whole = `${compactTime(FULL_RANGE_START_MS)}_${compactTime(t0)}`;
  it.each<[string, TableInput['size'], Partial<TableInput>, 'full' | 'incremental', ReturnType<typeof tasksOf>]>([
    ['full run, no link, one page: one window takes the link', { kind: 'estimate', rows: 1500 }, { delta: { link: null } }, 'full', [{ id: `${whole}+delta`, delta: null, takeDeltaLink: true, expectedRows: 1500 }]],
    ['a table never synced in an incremental: the same', { kind: 'estimate', rows: 10 }, { delta: { link: null }, watermarkMs: null }, 'incremental', [{ id: `${whole}+delta`, delta: null, takeDeltaLink: true, expectedRows: 10 }]],
    ['full run with a link to consume (its deletes): delta task and window', { kind: 'estimate', rows: 1500 }, { delta: { link: 'L' } }, 'full', [
      { id: 'delta', delta: { link: 'L' }, takeDeltaLink: null, expectedRows: null },
      { id: whole, delta: null, takeDeltaLink: null, expectedRows: 1500 },
    ]],
    ['full run, no link, nothing known of its size: delta task and probed windows', undefined, { delta: { link: null } }, 'full', [
      { id: 'delta', delta: { link: null }, takeDeltaLink: null, expectedRows: null },
      ...[0, 1, 2, 3].map(() => expect.objectContaining({ takeDeltaLink: null, expectedRows: null })),
    ]],
    ['an incremental of a synced table without link: delta task and its window', { kind: 'count', rows: 42, capped: false }, { delta: { link: null } }, 'incremental', [
      { id: 'delta', delta: { link: null }, takeDeltaLink: null, expectedRows: null },
      { id: `${compactTime(wm - 300_000)}_${compactTime(t0)}`, delta: null, takeDeltaLink: null, expectedRows: 42 },
    ]],
  ])('%s', (_n, size, extra, kind, expected) => {
    const p = plan(size, extra, kind);
    expect(tasksOf(p)).toEqual(expected);
    expect(p.tables[0]!.taskIds).toEqual(p.tasks.map((k) => k.taskId));
  });
});
