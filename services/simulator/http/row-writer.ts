/**
 * Serialises rows exactly as Dataverse sends them: `@odata.etag` first, selected properties with annotations
 * before each value (FormattedValue, associatednavigationproperty, lookuplogicalname), lookups as `_x_value`,
 * and JSON fragments from value-codec (money/decimal with scale, whole-second timestamps, DateOnly dates).
 */
import type { AnnotationMatcher } from '../core/prefer.ts';
import { dataProperty, isLookup, type ColumnDef } from '../core/schema.ts';
import { formattedValue, jsonFragment } from '../core/value-codec.ts';
import type { Catalog } from '../store/catalog.ts';
import type { TableStore } from '../store/table-store.ts';

const FORMATTED = 'OData.Community.Display.V1.FormattedValue';
const LOGICAL = 'Microsoft.Dynamics.CRM.lookuplogicalname';
const NAV = 'Microsoft.Dynamics.CRM.associatednavigationproperty';

/**
 * Writes one row (by index) as a JSON object string. `generated` renders the row's generated values (ignoring
 * any overlay entry), for a row known to have had no overlay entry when its page was selected.
 */
export type RowWriter = (index: number, generated?: boolean) => string;

interface Emitter {
  readonly col: ColumnDef;
  readonly key: string;
  readonly prop: string;
  readonly hash: number;
  readonly lookup: boolean;
  /** The version number column (written plus the catalog's version offset). */
  readonly version: boolean;
}

/** Builds a writer for `cols` (output order) of `store`. */
export function rowWriter(catalog: Catalog, store: TableStore, cols: readonly ColumnDef[], annotations: AnnotationMatcher): RowWriter {
  const wantFormatted = annotations(FORMATTED);
  const wantLogical = annotations(LOGICAL);
  const wantNav = annotations(NAV);
  const versionCol = store.columns.find((c) => c.system === 'versionnumber');
  const currencyCol = store.columns.find((c) => c.logicalName === 'transactioncurrencyid');
  const emitters: Emitter[] = cols.map((col) => {
    const prop = dataProperty(col) ?? col.logicalName;
    return { col, prop, key: `,${JSON.stringify(prop)}:`, hash: store.model.columnHash(col), lookup: isLookup(col), version: col.system === 'versionnumber' && catalog.versionOffset !== 0n };
  });
  const model = store.model;
  const annotate = wantFormatted || wantLogical || wantNav;
  const currencyCache = new Map<string, { symbol: string; precision: number }>();
  const currencyOf = (index: number, overlay: boolean) => {
    const id = currencyCol ? (overlay ? store.value(index, currencyCol) : model.baseValue(index, currencyCol)) : null;
    if (typeof id !== 'string' || !currencyCol) return undefined;
    let c = currencyCache.get(id);
    if (!c) {
      const ref = catalog.resolve(currencyCol, id);
      const symbolCol = ref?.table.columns.find((x) => x.logicalName === 'currencysymbol');
      const precisionCol = ref?.table.columns.find((x) => x.logicalName === 'currencyprecision');
      c = {
        symbol: ref && symbolCol ? String(ref.table.value(ref.index, symbolCol) ?? '') : '',
        precision: ref && precisionCol ? Number(ref.table.value(ref.index, precisionCol) ?? 2) : 2,
      };
      currencyCache.set(id, c);
    }
    return c;
  };

  return (index, generated = false) => {
    const overlay = !generated && store.entry(index) !== undefined;
    const rowHash = model.rowHash(index);
    const version = versionCol ? catalog.versionText(Number(overlay ? store.value(index, versionCol) : model.baseValue(index, versionCol))) : '0';
    const parts: string[] = [`{"@odata.etag":"W/\\"${version}\\""`];
    for (const e of emitters) {
      const v = overlay ? store.value(index, e.col) : model.generate(e.col, e.hash, index, rowHash);
      if (e.version) {
        parts.push(e.key, catalog.versionText(Number(v)));
        continue;
      }
      if (!annotate) {
        parts.push(e.key, jsonFragment(e.col, v));
        continue;
      }
      let out = '';
      if (v !== null && e.lookup) {
        const ref = catalog.resolve(e.col, String(v));
        const target = ref?.table.model.def;
        if (wantFormatted && ref && target) {
          const nameCol = ref.table.property(target.primaryName);
          const name = nameCol ? ref.table.value(ref.index, nameCol) : null;
          if (name !== null) out += `,"${e.prop}@${FORMATTED}":${JSON.stringify(String(name))}`;
        }
        if (wantNav) {
          const nav = e.col.kind === 'Customer' && target ? `${e.col.logicalName}_${target.logicalName}` : e.col.logicalName;
          out += `,"${e.prop}@${NAV}":${JSON.stringify(nav)}`;
        }
        if (wantLogical && target) out += `,"${e.prop}@${LOGICAL}":${JSON.stringify(target.logicalName)}`;
      } else if (wantFormatted && v !== null) {
        const cur = e.col.kind === 'Money' ? currencyOf(index, overlay) : undefined;
        const f = formattedValue(e.col, v, cur?.symbol, cur?.precision);
        if (f !== undefined) out += `,"${e.prop}@${FORMATTED}":${JSON.stringify(f)}`;
      }
      parts.push(out, e.key, jsonFragment(e.col, v));
    }
    parts.push('}');
    return parts.join('');
  };
}
