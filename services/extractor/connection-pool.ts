/**
 * One open Dataverse connection per connection id, shared by every window of every table of that connection: the
 * Dataverse limits are per user, so its client's pause gate (429) and adaptive semaphore (`x-ms-dop-hint`) must be
 * one. Connections are read from the state DB and opened with their sealed secret on first use.
 */
import type { Logger } from '../shared/log.ts';
import type { ClientMetrics } from '../dataverse/client/client-metrics.ts';
import type { ConnectionStore } from '../dataverse/connections/connection-store.ts';
import { openConnection, type OpenConnection } from '../dataverse/connections/open-connection.ts';
import type { DataverseRuntimeConfig } from '../dataverse/connections/runtime-config.ts';
import type { EncryptedSecrets } from '../dataverse/secrets/encrypted-secrets.ts';

/** Dependencies of a {@link ConnectionPool}. */
export interface ConnectionPoolDeps {
  store: ConnectionStore;
  secrets: EncryptedSecrets;
  config: DataverseRuntimeConfig;
  metrics?: ClientMetrics;
  log?: Logger;
}

/** Opens each connection once; a failed open is forgotten so the next task tries again. */
export class ConnectionPool {
  private readonly deps: ConnectionPoolDeps;
  private readonly open = new Map<string, Promise<OpenConnection>>();

  constructor(deps: ConnectionPoolDeps) {
    this.deps = deps;
  }

  /** The open connection `id` (CONNECTION_NOT_FOUND when it is not stored or has no secret). */
  get(id: string): Promise<OpenConnection> {
    let pending = this.open.get(id);
    if (!pending) {
      const { store, secrets, config, metrics, log } = this.deps;
      pending = store.get(id).then((connection) => openConnection(connection, { config, secrets, metrics, log: log?.child({ connection: id }) }));
      pending.catch(() => this.open.delete(id));
      this.open.set(id, pending);
    }
    return pending;
  }

  /** Closes every open connection's HTTP pool. */
  async close(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.allSettled(all.map(async (p) => (await p).close()));
  }
}
