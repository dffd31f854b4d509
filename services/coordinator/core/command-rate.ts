/**
 * Commands per connection, rate-limited (pure; the time is an argument): a token bucket per connection that holds
 * `burst` commands and refills `perHour` an hour. A command that finds its connection's bucket empty is not carried out
 * but dead-lettered with the reason, so a flood on sync.commands (a script gone wrong, or a forger who can write the
 * topic) cannot keep a connection in endless full resyncs. The buckets live in the coordinator's memory: a restarted
 * coordinator starts them full.
 */

/** The limit. */
export interface CommandRateLimit {
  /** Commands a connection may send at once. */
  burst: number;
  /** Commands per hour after the burst. */
  perHour: number;
}

/** The default: a burst of 20 commands, then 120 an hour (COORDINATOR_COMMANDS_BURST, COORDINATOR_COMMANDS_PER_HOUR). */
export const DEFAULT_COMMAND_RATE: CommandRateLimit = { burst: 20, perHour: 120 };

/** The buckets of every connection seen. */
export class CommandRate {
  private readonly limit: CommandRateLimit;
  private readonly buckets = new Map<string, { tokens: number; atMs: number }>();

  constructor(limit: CommandRateLimit) {
    this.limit = limit;
  }

  /** Takes one command of `connection` at `nowMs`: true when allowed (then counted), false when over the limit. */
  take(connection: string, nowMs: number): boolean {
    const b = this.buckets.get(connection) ?? { tokens: this.limit.burst, atMs: nowMs };
    const refill = (Math.max(0, nowMs - b.atMs) / 3_600_000) * this.limit.perHour;
    b.tokens = Math.min(this.limit.burst, b.tokens + refill);
    b.atMs = Math.max(b.atMs, nowMs);
    this.buckets.set(connection, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** How long until `connection` may send its next command (0: now). */
  waitMs(connection: string, nowMs: number): number {
    const b = this.buckets.get(connection);
    if (!b) return 0;
    const tokens = Math.min(this.limit.burst, b.tokens + (Math.max(0, nowMs - b.atMs) / 3_600_000) * this.limit.perHour);
    return tokens >= 1 ? 0 : Math.ceil(((1 - tokens) / this.limit.perHour) * 3_600_000);
  }
}
