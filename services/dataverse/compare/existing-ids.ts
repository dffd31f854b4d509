/**
 * Which of some record ids still exist in a Dataverse table (GET only): the ids are asked for in batches of
 * {@link EXISTS_BATCH}, one request each (`$select` of the primary id, `$filter` of `<pk> eq <id> or …`). Used by the
 * coordinator's delete reconciliation before it tombstones anything and by `dynsync verify` to tell a stored
 * document deleted at the source from one modified since (listed in another window).
 *
 * Invariant 8: a row returned without its primary id is one of the asked ids, but which one is unknown; every id of
 * its batch then counts as existing (nothing may be concluded deleted on that evidence) and `unidentified` says so.
 */
import type { DataverseClient } from '../client/dataverse-client.ts';
import type { ScanTarget } from './id-set-scan.ts';
import { listedId, RECORD_ID } from './record-id.ts';

/** The table whose ids are checked. */
export type IdTarget = Pick<ScanTarget, 'table' | 'entitySetName' | 'primaryIdAttribute'>;

/** The answer of {@link existingIds}. */
export interface ExistingIds {
  /** The asked ids that exist (all of a batch that held an unidentified row). */
  existing: Set<string>;
  /** Rows returned without a usable primary id (0 when every answer was clear). */
  unidentified: number;
}

/** Ids asked for per request (keeps the URL short). */
export const EXISTS_BATCH = 50;
const PAGE = 5000;

/** The request path that asks for `ids` (lower-case GUIDs). */
export function existencePath(target: IdTarget, ids: readonly string[]): string {
  const pk = target.primaryIdAttribute;
  return `${target.entitySetName}?$select=${pk}&$filter=${encodeURIComponent(ids.map((id) => `${pk} eq ${id}`).join(' or '))}`;
}

async function checkBatch(client: Pick<DataverseClient, 'pages'>, target: IdTarget, batch: readonly string[], out: ExistingIds, signal?: AbortSignal): Promise<void> {
  const found: string[] = [];
  let unidentified = 0;
  for await (const page of client.pages(existencePath(target, batch), { maxPageSize: PAGE, signal })) {
    for (const row of page.rows) {
      const id = listedId(row, target.primaryIdAttribute);
      if (id === null) unidentified++;
      else found.push(id);
    }
  }
  out.unidentified += unidentified;
  for (const id of unidentified > 0 ? batch : found) out.existing.add(id);
}

/**
 * The ids among `ids` that still exist in the table. Ids that are not GUIDs cannot be records of it and are never
 * asked for. Throws the client's error when a request fails (nothing is concluded then).
 */
export async function existingIds(client: Pick<DataverseClient, 'pages'>, target: IdTarget, ids: readonly string[], signal?: AbortSignal): Promise<ExistingIds> {
  const wanted = ids.filter((id) => RECORD_ID.test(id));
  const out: ExistingIds = { existing: new Set(), unidentified: 0 };
  for (let i = 0; i < wanted.length; i += EXISTS_BATCH) await checkBatch(client, target, wanted.slice(i, i + EXISTS_BATCH), out, signal);
  return out;
}
