/**
 * Run requests recorded as pending in the state DB, idempotent per request id: operator commands, schedule slots
 * and the fallback full run of a table whose delta token expired. The connection owner starts them
 * (connection-duties.ts); run handling and the command reader only record them.
 */
import type { Clock } from '../shared/clock.ts';
import { addRequest, type RunRequest } from './core/pending.ts';
import type { StateStore } from './state-store.ts';

/** Records run requests. */
export class RunRequests {
  private readonly store: StateStore;
  private readonly clock: Clock;
  constructor(store: StateStore, clock: Clock) {
    this.store = store;
    this.clock = clock;
  }

  /** Records a run request as pending (idempotent per request id). */
  async request(connection: string, r: RunRequest): Promise<void> {
    const st = await this.store.requestsOf(connection);
    if (st.recent.includes(r.requestId) || (await this.store.runExists(r.requestId))) return;
    await this.store.saveRequests(connection, { ...st, pending: addRequest(st.pending, r), recent: [...st.recent, r.requestId] }, this.clock.nowMs());
  }

  /**
   * Records a request that will not be carried out (an expired command) as a failed run with `error`, unless it was
   * carried out already (its id among the recent requests or an existing run: a group reading commands that another
   * group of the same deployment handled). True when it was recorded.
   */
  async refuse(connection: string, r: RunRequest, error: { code: string; message: string }): Promise<boolean> {
    const st = await this.store.requestsOf(connection);
    if (st.recent.includes(r.requestId) || (await this.store.runExists(r.requestId))) return false;
    await this.store.saveUnstartedRequest(connection, r, error, this.clock.nowMs());
    return true;
  }
}
