/**
 * The lifecycle of the loader's consumer: subscribes to every table topic (`dynamics.<connection>.<table>`) that
 * matches the loader's pattern, re-subscribes when a watcher finds new ones, re-creates the consumer after any crash
 * (with back-off), and stops it. The watcher checks the end of `sync.tasks` every `topicRefreshMs` and lists the
 * cluster's topics only when it moved (core/topic-watch.ts). Consumer changes run one at a time (a serial queue); the batches themselves are
 * handled by the eachBatch handler given to {@link TableSubscription.start} (batch-handler.ts).
 */
import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from '../shared/log.ts';
import { TABLE_TOPIC_PATTERN, TASKS_TOPIC } from '../contracts/topic-names.ts';
import { endMark, listingDue, type Listing } from './core/topic-watch.ts';
import { serialQueue } from '../shared/consumer-blocks.ts';

/** Settings of the subscription. */
export interface TableSubscriptionOptions {
  groupId: string;
  /** How often the list of table topics is read again. */
  topicRefreshMs: number;
  /** Table topics to consume (a subset of `dynamics.<connection>.<table>`). */
  topicPattern: RegExp;
  /** The topic whose end is watched (default sync.tasks; tests use their own). */
  tasksTopic?: string;
}

/** Dependencies of the subscription. */
export interface TableSubscriptionDeps {
  kafka: Kafka;
  admin: Admin;
  log: Logger;
}

type EachBatch = (payload: EachBatchPayload) => Promise<void>;

/** The table topics matching `pattern`, sorted. */
async function tableTopics(admin: Admin, pattern: RegExp): Promise<string[]> {
  return (await admin.listTopics()).filter((t) => TABLE_TOPIC_PATTERN.test(t) && pattern.test(t)).sort();
}

/** The pause before re-subscribing attempt `attempt` (1-based): doubles from 1 s, at most 30 s. */
export function recoverDelayMs(attempt: number): number {
  return Math.min(1_000 * 2 ** (attempt - 1), 30_000);
}

/** The loader's consumer, subscribed to the table topics. */
export class TableSubscription {
  private readonly deps: TableSubscriptionDeps;
  private readonly opts: TableSubscriptionOptions;
  private readonly changes = serialQueue();
  private current: Consumer | undefined;
  private subscribed: string[] = [];
  private running = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private eachBatch: EachBatch | undefined;
  private listing: Listing | undefined;
  private markUnreadable = false;

  constructor(deps: TableSubscriptionDeps, opts: TableSubscriptionOptions) {
    this.deps = deps;
    this.opts = opts;
  }

  /** Subscribes to the table topics with `eachBatch`, then watches for new table topics. */
  async start(eachBatch: EachBatch): Promise<void> {
    this.eachBatch = eachBatch;
    await this.subscribe(await this.list(await this.tasksMark()));
    this.timer = setInterval(() => void this.serially(() => this.refresh()), this.opts.topicRefreshMs);
  }

  /** The current consumer (none while it is being replaced, or without table topics). */
  consumer(): Consumer | undefined {
    return this.current;
  }

  /** True once the consumer joined the group, or when there is no table topic to consume. */
  ready(): boolean {
    return this.running || this.subscribed.length === 0;
  }

  /** The table topics currently subscribed. */
  topics(): readonly string[] {
    return this.subscribed;
  }

  /** Stops watching, waits for the consumer change under way, and disconnects the consumer. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.changes.idle();
    await this.current?.disconnect();
  }

  /** Runs `step` after every earlier consumer change: one consumer change at a time; a failed step never blocks the next. */
  private serially(step: () => Promise<void>): Promise<void> {
    return this.changes.run(step).catch((err: unknown) => this.deps.log.error({ err: (err as Error).message }, 'loader consumer change failed'));
  }

  /**
   * Replaces the consumer with one subscribed to `topics`. kafkajs's own restart-after-crash is disabled: a restart
   * it scheduled could still be joining while this disconnects the consumer, leaving a zombie member in this process
   * that kept the old topic list and, as group leader, never assigned the new topics (reproduced: a topic created
   * during a broker restart was never loaded). Every crash comes back here instead, through {@link recover}.
   */
  private async subscribe(topics: string[]): Promise<void> {
    if (this.current) await this.current.disconnect();
    this.current = undefined;
    this.running = false;
    this.subscribed = topics;
    if (topics.length === 0) return;
    const next = this.deps.kafka.consumer({
      groupId: this.opts.groupId,
      maxBytesPerPartition: 2 * 1024 * 1024,
      maxBytes: 6 * 1024 * 1024,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      retry: { restartOnFailure: async () => false },
    });
    this.current = next;
    next.on(next.events.GROUP_JOIN, () => {
      if (this.current === next) this.running = true;
    });
    next.on(next.events.CRASH, ({ payload }) => {
      if (this.current !== next || this.stopped) return;
      this.running = false;
      this.deps.log.warn({ err: payload.error.message }, 'loader consumer crashed; re-subscribing (uncommitted chunks are replayed)');
      this.recover(1, next);
    });
    await next.connect();
    await next.subscribe({ topics, fromBeginning: true });
    await next.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 4, eachBatch: this.eachBatch });
    this.deps.log.info({ topics: topics.length }, 'loader subscribed to table topics');
  }

  /**
   * Re-creates the consumer `broken` (crashed, or its subscription failed), retrying with back-off until it works,
   * the topic watcher replaced it meanwhile, or the loader stops. Uncommitted chunks are replayed (Invariant 5).
   */
  private recover(attempt: number, broken: Consumer | undefined): void {
    setTimeout(() => {
      void this.serially(async () => {
        if (this.stopped || this.current !== broken) return;
        try {
          await this.subscribe(await this.list(await this.tasksMark()));
        } catch (err) {
          this.deps.log.warn({ err: (err as Error).message, attempt }, 'loader could not re-subscribe; retrying');
          this.recover(attempt + 1, this.current);
        }
      });
    }, recoverDelayMs(attempt)).unref();
  }

  /** The end of the watched tasks topic, or undefined when it cannot be read (warned once; every check then lists). */
  private async tasksMark(): Promise<string | undefined> {
    const topic = this.opts.tasksTopic ?? TASKS_TOPIC;
    try {
      const mark = endMark(await this.deps.admin.fetchTopicOffsets(topic));
      this.markUnreadable = false;
      return mark;
    } catch (err) {
      if (!this.markUnreadable) this.deps.log.warn({ topic, err: (err as Error).message }, `cannot read the end of ${topic}: listing the table topics at every check`);
      this.markUnreadable = true;
      return undefined;
    }
  }

  /** The table topics, listed after `mark` was read (tasks published after it make the next check list again). */
  private async list(mark: string | undefined): Promise<string[]> {
    const topics = await tableTopics(this.deps.admin, this.opts.topicPattern);
    this.listing = { mark, checks: 0 };
    return topics;
  }

  /** The topic watcher's step: re-subscribes when the table topics changed. */
  private async refresh(): Promise<void> {
    if (this.stopped) return;
    let now: string[];
    try {
      const mark = await this.tasksMark();
      if (!listingDue(this.listing, mark)) {
        this.listing!.checks++;
        return;
      }
      now = await this.list(mark);
    } catch (err) {
      this.deps.log.warn({ err: (err as Error).message }, 'could not refresh the list of table topics');
      return;
    }
    if (now.join() === this.subscribed.join()) return;
    try {
      await this.subscribe(now);
    } catch (err) {
      this.deps.log.warn({ err: (err as Error).message }, 'loader could not re-subscribe to the new table topics; retrying');
      this.recover(1, this.current);
    }
  }
}
