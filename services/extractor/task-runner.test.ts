import { describe, expect, it, vi } from 'vitest';
import type { EventBody, SyncTask } from '../contracts/control-messages.ts';
import { ManualClock } from '../shared/clock.ts';
import { SyncError } from '../shared/errors.ts';
import type { Logger } from '../shared/log.ts';
import type { ExtractorMetrics } from './metrics.ts';
import type { TaskOutcome } from './window-extractor.ts';
import { taskRunner, type TaskRunnerDeps } from './task-runner.ts';

const window = { taskId: 't1', runId: 'r1', connection: 'c1', table: 'account', attempt: 2, depth: 0 } as SyncTask;
const delta = { ...window, delta: { link: null } } as SyncTask;
const completed: TaskOutcome = { kind: 'completed', topic: 'tt', count: 3, deadLettered: 0, pages: 1, maxModifiedOn: null, offsets: [] };
const at = { topic: 'tasks', partition: 1, offset: '7' };

type Run = (task: SyncTask, signal: AbortSignal) => Promise<TaskOutcome>;

/** A runner whose task does `run`; records what is published, committed and counted. */
function setup(run: Run, opts: { knows?: boolean; publishFails?: boolean } = {}) {
  const seen = { ran: [] as string[], events: [] as string[], reports: [] as string[], commits: 0, labels: [] as string[], inFlight: 0 };
  const log = { child: () => log, info: vi.fn(), warn: vi.fn() } as unknown as Logger;
  const metrics = {
    inFlight: { inc: () => seen.inFlight++, dec: () => seen.inFlight-- },
    tasks: { inc: ({ outcome }: { outcome: string }) => seen.labels.push(outcome) },
    windowSeconds: { observe: vi.fn() },
  } as unknown as ExtractorMetrics;
  const fail = async () => {
    if (opts.publishFails) throw new SyncError('KAFKA_UNAVAILABLE', 'broker down');
  };
  const deps: TaskRunnerDeps = {
    run: (task, signal) => (seen.ran.push('run'), run(task, signal)),
    runDelta: async (task, signal) => (seen.ran.push('runDelta'), { ...((await run(task, signal)) as Extract<TaskOutcome, { kind: 'completed' }>), deltaLink: 'l', initial: true }),
    knowsConnection: opts.knows === undefined ? undefined : async () => opts.knows!,
    events: {
      publish: async (_task, event: EventBody) => (await fail(), void seen.events.push(event.type)),
      report: async (_task, outcome) => (await fail(), void seen.reports.push(outcome.kind)),
    },
    commits: { commit: async () => void seen.commits++ },
    metrics,
    log,
    clock: new ManualClock(0),
    sessionTimeoutMs: 30_000,
  };
  return { runner: taskRunner(deps), seen };
}

const notFound: Run = async () => {
  throw new SyncError('CONNECTION_NOT_FOUND', 'no such connection');
};
const failing: Run = async () => {
  throw new SyncError('DATAVERSE_UNAVAILABLE', 'down');
};

describe('task runner', () => {
  it.each<[string, SyncTask, Run, Parameters<typeof setup>[1], { ended: boolean; label: string; events: string[]; reports: string[]; commits: number }]>([
    ['completed: reported, then committed', window, async () => completed, {}, { ended: true, label: 'completed', events: [], reports: ['completed'], commits: 1 }],
    ['split: reported, then committed', window, async () => ({ kind: 'split', children: [], reason: 'big' }), {}, { ended: true, label: 'split', events: [], reports: ['split'], commits: 1 }],
    ['error: TaskFailed, then committed', window, failing, {}, { ended: true, label: 'failed', events: ['TaskFailed'], reports: [], commits: 1 }],
    ['unknown connection: skipped, committed', window, notFound, { knows: false }, { ended: true, label: 'skipped', events: [], reports: [], commits: 1 }],
    ['connection known: CONNECTION_NOT_FOUND fails', window, notFound, { knows: true }, { ended: true, label: 'failed', events: ['TaskFailed'], reports: [], commits: 1 }],
    ['end not published: not committed, redelivered', window, async () => completed, { publishFails: true }, { ended: false, label: 'failed', events: [], reports: [], commits: 0 }],
    ['TaskFailed not published: not committed', window, failing, { publishFails: true }, { ended: false, label: 'failed', events: [], reports: [], commits: 0 }],
  ])('%s', async (_name, task, run, opts, expected) => {
    const { runner, seen } = setup(run, opts);
    const ended = await runner.run(task, at, async () => undefined);
    expect({ ended, label: seen.labels.join(), events: seen.events, reports: seen.reports, commits: seen.commits }).toEqual(expected);
    expect(seen.inFlight).toBe(0);
  });

  it.each([
    ['a window goes to run', window, 'run'],
    ['a delta task goes to runDelta', delta, 'runDelta'],
  ])('%s', async (_name, task, ran) => {
    const { runner, seen } = setup(async () => completed);
    expect(await runner.run(task, at, async () => undefined)).toBe(true);
    expect(seen).toMatchObject({ ran: [ran], reports: ['completed'], commits: 1 });
  });

  it('a task aborted on stop is abandoned, without event or commit', async () => {
    const run: Run = (_task, signal) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error)));
    const { runner, seen } = setup(run);
    const ended = runner.run(window, at, async () => undefined);
    runner.abortAll();
    expect(await ended).toBe(true);
    expect(seen).toMatchObject({ labels: ['abandoned'], events: [], reports: [], commits: 0, inFlight: 0 });
  });

  it('heartbeats every third of the session timeout while the task runs', async () => {
    vi.useFakeTimers();
    try {
      let finish = () => {};
      const run: Run = () => new Promise((resolve) => (finish = () => resolve(completed)));
      const heartbeat = vi.fn(async () => undefined);
      const { runner } = setup(run);
      const ended = runner.run(window, at, heartbeat);
      await vi.advanceTimersByTimeAsync(25_000);
      expect(heartbeat).toHaveBeenCalledTimes(2);
      finish();
      await ended;
      await vi.advanceTimersByTimeAsync(30_000);
      expect(heartbeat).toHaveBeenCalledTimes(2);
    } finally {
      vi.useRealTimers();
    }
  });
});
