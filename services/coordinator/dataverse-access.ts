/**
 * What the coordinator asks Dataverse (GET only, Invariant 1): the server clock (WhoAmI's Date header) for T0,
 * the tables of the organisation, how many rows (a count probe of a range, the changes since a delta link, the
 * tables' row counts: dataverse/query/row-counts.ts) to size a run's plan, and, for delete reconciliation, which of
 * some record ids still exist. One open connection per Dataverse connection is kept and reused, so every request
 * shares its concurrency limit (`x-ms-dop-hint`) and 429 pause; the table list is cached per run start.
 */
import type { Logger } from '../shared/log.ts';
import type { Connection } from '../dataverse/connections/connection.ts';
import type { ConnectionStore } from '../dataverse/connections/connection-store.ts';
import { openConnection, type OpenConnection } from '../dataverse/connections/open-connection.ts';
import type { DataverseRuntimeConfig } from '../dataverse/connections/runtime-config.ts';
import { listTables } from '../dataverse/discovery/discover.ts';
import type { TableSummary } from '../dataverse/model/table-definition.ts';
import type { EncryptedSecrets } from '../dataverse/secrets/encrypted-secrets.ts';
import type { DataverseClient } from '../dataverse/client/dataverse-client.ts';
import { existingIds } from '../dataverse/compare/existing-ids.ts';
import type { ScanTarget } from '../dataverse/compare/id-set-scan.ts';
import { toPage } from '../dataverse/client/paginate.ts';
import {
  COUNT_PROBE_ANNOTATIONS, TOTAL_COUNT_BATCH, countProbePath, deltaCountPath, readCount, readCountProbe, readTotalRecordCount, totalRecordCountPath, type CountProbe,
} from '../dataverse/query/row-counts.ts';
import { SyncError, toSyncError } from '../shared/errors.ts';

/** Dataverse as the coordinator sees it. */
export interface DataverseAccess {
  /** The stored connection (CONNECTION_NOT_FOUND when it does not exist). */
  connection(id: string): Promise<Connection>;
  /** Dataverse's clock now (epoch ms, from the Date header). */
  serverTimeMs(connection: Connection): Promise<number>;
  /** Every syncable table of the organisation. */
  tables(connection: Connection): Promise<TableSummary[]>;
  /** What an id-set comparison of `table` needs (null when the organisation has no such table). */
  scanTarget(connection: Connection, table: string): Promise<Omit<ScanTarget, 'versions'> | null>;
  /** The connection's open client (GET only). */
  client(connection: Connection): Promise<DataverseClient>;
  /** How many rows of a table match `filter` (a count probe: capped at 5,000, `limitExceeded` beyond). */
  countRows(connection: Connection, table: Pick<TableSummary, 'entitySetName' | 'primaryIdAttribute'>, filter: string): Promise<CountProbe>;
  /** How many changes a delta link reports since its snapshot (capped at 5,000); DATAVERSE_DELTA_EXPIRED when it expired. */
  changesSince(connection: Connection, link: string): Promise<number>;
  /** RetrieveTotalRecordCount of `tables` (a snapshot up to 24 h old), in batches; a table a batch could not count is absent. */
  tableCounts(connection: Connection, tables: readonly string[]): Promise<Map<string, number>>;
  /** The ids among `ids` (lower-case GUIDs) that still exist in `table` (dataverse/compare/existing-ids.ts). */
  existingIds(connection: Connection, table: string, ids: readonly string[]): Promise<Set<string>>;
  close(): Promise<void>;
}

/** Creates the access over stored connections and sealed secrets. */
export function createDataverseAccess(deps: { connections: ConnectionStore; secrets: EncryptedSecrets; config: DataverseRuntimeConfig; log: Logger }): DataverseAccess {
  const open = new Map<string, { key: string; conn: Promise<OpenConnection> }>();
  const summaries = new Map<string, TableSummary[]>();
  const get = (c: Connection): Promise<OpenConnection> => {
    const key = `${c.orgUrl}|${c.tenantId}|${c.clientId}|${c.flow}|${c.updatedAt.getTime()}`;
    const seen = open.get(c.id);
    if (seen && seen.key === key) return seen.conn;
    if (seen) void seen.conn.then((o) => o.close()).catch(() => undefined);
    const conn = openConnection(c, { config: deps.config, secrets: deps.secrets, log: deps.log });
    conn.catch(() => open.delete(c.id));
    open.set(c.id, { key, conn });
    return conn;
  };
  return {
    connection: (id) => deps.connections.get(id),
    async serverTimeMs(c) {
      return (await (await get(c)).client.whoAmI()).serverTime.getTime();
    },
    async tables(c) {
      const { tables } = await listTables((await get(c)).client);
      summaries.set(c.id, tables);
      return tables;
    },
    async scanTarget(c, table) {
      const summary = (summaries.get(c.id) ?? (await this.tables(c))).find((t) => t.logicalName === table);
      return summary ? { table, entitySetName: summary.entitySetName, primaryIdAttribute: summary.primaryIdAttribute } : null;
    },
    async client(c) {
      return (await get(c)).client;
    },
    async countRows(c, table, filter) {
      const path = countProbePath(table.entitySetName, table.primaryIdAttribute, filter);
      return readCountProbe(toPage(await (await get(c)).client.getJson(path, { annotations: COUNT_PROBE_ANNOTATIONS }), 0, path));
    },
    async changesSince(c, link) {
      const path = deltaCountPath(link);
      if (path === null) throw new SyncError('DATAVERSE_DELTA_EXPIRED', 'the stored delta link has no $deltatoken this version can read');
      return readCount(await (await get(c)).client.getJson(path), 'changes since the delta link');
    },
    async tableCounts(c, tables) {
      const client = (await get(c)).client;
      const counts = new Map<string, number>();
      for (let i = 0; i < tables.length; i += TOTAL_COUNT_BATCH) {
        const batch = tables.slice(i, i + TOTAL_COUNT_BATCH);
        try {
          for (const [t, n] of readTotalRecordCount(await client.getJson(totalRecordCountPath(batch)))) counts.set(t, n);
        } catch (err) {
          // estimates only: the run is then planned without them (probed windows)
          deps.log.warn({ connection: c.id, tables: batch.length, err: toSyncError(err).toJSON() }, 'RetrieveTotalRecordCount failed; these tables are planned without a row estimate');
        }
      }
      return counts;
    },
    async existingIds(c, table, ids) {
      const target = await this.scanTarget(c, table);
      // a table that no longer exists has no rows left
      if (!target) return new Set();
      const { existing, unidentified } = await existingIds((await get(c)).client, target, ids);
      if (unidentified > 0) deps.log.warn({ connection: c.id, table, rows: unidentified }, 'delete check: Dataverse returned rows without their primary id; no row of this batch is treated as deleted');
      return existing;
    },
    async close() {
      await Promise.allSettled([...open.values()].map(async (o) => (await o.conn).close()));
      open.clear();
    },
  };
}
