/**
 * Dispatch of `GET /api/data/v9.x/…` (after authentication and throttling): service document, WhoAmI,
 * RetrieveTotalRecordCount, RetrieveMetadataChanges, EntityDefinitions, entity sets, `$count` and single rows. Errors become the
 * Web API's `{"error":{"code","message"}}` replies.
 */
import { QueryOptionError } from '../core/query-options.ts';
import type { Principal } from '../entra/token-service.ts';
import type { Catalog } from '../store/catalog.ts';
import { countCollection, queryCollection, retrieveOne, type DataRequest } from './collection-routes.ts';
import { countChanges, isTracking, trackChanges } from './delta-routes.ts';
import { handleMetadata, handleMetadataChanges, MetadataNotFound } from './metadata-routes.ts';
import { errorReply, jsonReply, ReplyError, type Reply } from './reply.ts';

/** Settings the data routes need. */
export interface DataSettings {
  /** Change-tracking retention (days) before a delta token expires. */
  readonly deltaRetentionDays: number;
  /** Organisation and business unit ids for WhoAmI. */
  readonly organizationId: string;
  readonly businessUnitId: string;
}

/** RetrieveTotalRecordCount serves a snapshot refreshed at most every 24 h, as Dataverse does. */
export class RecordCountSnapshot {
  private takenMs = -Infinity;
  private counts = new Map<string, number>();
  get(catalog: Catalog, nowMs: number): Map<string, number> {
    if (nowMs - this.takenMs >= 86_400_000) {
      this.counts = new Map(catalog.tables().map((t) => [t.model.def.logicalName, t.liveCount]));
      this.takenMs = nowMs;
    }
    return this.counts;
  }
}

function notFoundSegment(segment: string): Reply {
  return errorReply(404, '0x8006088a', `Resource not found for the segment '${segment}'.`);
}

/** Routes one authenticated GET; `path` is relative to `/api/data/v9.x/`. */
export function routeData(r: DataRequest, path: string, who: Principal, s: DataSettings, counts: RecordCountSnapshot): Reply {
  try {
    if (path === '') {
      const value = r.catalog.tables().map((t) => ({ name: t.model.def.entitySetName, kind: 'EntitySet', url: t.model.def.entitySetName }));
      return jsonReply({ '@odata.context': `${r.base}/$metadata`, value });
    }
    if (path === 'WhoAmI' || path === 'WhoAmI()') {
      const users = r.catalog.table('systemuser');
      const userId = users?.model.guid(who.kind === 'app' ? 0 : 1) ?? who.oid;
      return jsonReply({
        '@odata.context': `${r.base}/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse`,
        BusinessUnitId: s.businessUnitId,
        UserId: userId,
        OrganizationId: s.organizationId,
      });
    }
    const rt = /^RetrieveTotalRecordCount\(EntityNames=(.*)\)$/.exec(path);
    if (rt) {
      const raw = rt[1]?.startsWith('@') ? (r.params.get(rt[1]) ?? '') : (rt[1] ?? '');
      const names = [...raw.matchAll(/'([^']*)'/g)].map((m) => m[1] ?? '');
      const snapshot = counts.get(r.catalog, r.nowMs);
      for (const n of names) if (!snapshot.has(n)) throw new ReplyError(404, '0x80040217', `Could not find entity with name '${n}'.`);
      return jsonReply({
        '@odata.context': `${r.base}/$metadata#Microsoft.Dynamics.CRM.RetrieveTotalRecordCountResponse`,
        EntityRecordCountCollection: { Count: names.length, IsReadOnly: false, Keys: names, Values: names.map((n) => snapshot.get(n) ?? 0) },
      });
    }
    const changes = /^RetrieveMetadataChanges(?:\((.*)\))?$/.exec(path);
    if (changes) return jsonReply(handleMetadataChanges(r.catalog, changes[1] ?? '', r.params, r.base, r.nowMs));
    if (path.startsWith('EntityDefinitions')) {
      const res = handleMetadata(r.catalog, decodeURIComponent(path), r.params, r.base);
      return jsonReply(res.body);
    }
    const m = /^([A-Za-z_][\w]*)(?:\(([^)]*)\))?(\/\$count)?$/.exec(path);
    const store = m ? r.catalog.entitySet(m[1] ?? '') : undefined;
    if (!m || !store) return notFoundSegment(path.split(/[/(]/)[0] ?? path);
    if (m[2] !== undefined) {
      if (m[3]) return notFoundSegment('$count');
      return retrieveOne(r, store, decodeURIComponent(m[2]).replace(/^\{|\}$/g, ''));
    }
    if (m[3]) return r.params.has('$deltatoken') ? countChanges(r, store, s.deltaRetentionDays) : countCollection(r, store);
    return isTracking(r, store) ? trackChanges(r, store, s.deltaRetentionDays) : queryCollection(r, store);
  } catch (err) {
    if (err instanceof ReplyError) return err.reply;
    if (err instanceof QueryOptionError) return errorReply(400, err.code, err.message);
    if (err instanceof MetadataNotFound) return errorReply(404, err.code, err.message);
    throw err;
  }
}
