/**
 * The connections of this deployment (its state DB): events, runs and commands of any other connection are not
 * ours. The set is read at start and on every tick; an id it lacks is looked up again once until the next tick.
 */
import type { Connection } from '../dataverse/connections/connection.ts';
import type { ConnectionStore } from '../dataverse/connections/connection-store.ts';

const idsOf = (all: readonly Connection[]): Set<string> => new Set(all.map((c) => c.id));

/** The ids of this deployment's connections. */
export class KnownConnections {
  private readonly connections: ConnectionStore;
  private known: Set<string>;
  /** Looked up since the last tick and not found. */
  private readonly unknown = new Set<string>();

  private constructor(connections: ConnectionStore, all: readonly Connection[]) {
    this.connections = connections;
    this.known = idsOf(all);
  }

  /** Reads the connections of the state DB. */
  static async load(connections: ConnectionStore): Promise<KnownConnections> {
    return new KnownConnections(connections, await connections.list());
  }

  /** True when `id` is a connection of this deployment. */
  async has(id: string): Promise<boolean> {
    if (this.known.has(id)) return true;
    if (this.unknown.has(id)) return false;
    this.known = idsOf(await this.connections.list());
    if (!this.known.has(id)) this.unknown.add(id);
    return this.known.has(id);
  }

  /** Reads every connection again (the tick): returns them, and forgets the ids found unknown since the last tick. */
  async refresh(): Promise<Connection[]> {
    const all = await this.connections.list();
    this.known = idsOf(all);
    this.unknown.clear();
    return all;
  }
}
