/**
 * Reading the type-specific properties of attributes (option sets, date-time behaviour, precision, lookup targets)
 * into per-column details, keyed by attribute logical name: from the cast responses of the per-table queries, or from
 * attribute items that carry them themselves (RetrieveMetadataChanges).
 */
import { CAST_QUERIES, CAST_TYPES, type CastKey } from './attribute-queries.ts';
import type { DateTimeBehavior } from './table-definition.ts';
import { collectionItems, int, isObject, labelText, str, valueOf, type JsonObject } from './metadata-reader.ts';

/** The details found in the cast bodies for one attribute. */
export interface AttributeDetails {
  options?: Record<number, string>;
  dateTimeBehavior?: DateTimeBehavior;
  precision?: number;
  targets?: string[];
}

/** Cast bodies as fetched, keyed like `attributeQueries`; a missing key means "not fetched". */
export type CastBodies = Partial<Record<CastKey, unknown>>;

const BEHAVIOURS: ReadonlySet<string> = new Set(['UserLocal', 'DateOnly', 'TimeZoneIndependent']);

function optionsOf(set: unknown): Record<number, string> | undefined {
  if (!isObject(set)) return undefined;
  const out: Record<number, string> = {};
  const add = (option: unknown): void => {
    if (!isObject(option)) return;
    const value = int(option, 'Value');
    const label = labelText(option.Label);
    if (value !== undefined && label !== undefined) out[value] = label;
  };
  if (Array.isArray(set.Options)) set.Options.forEach(add);
  add(set.FalseOption);
  add(set.TrueOption);
  return out;
}

function readItem(key: CastKey, item: JsonObject): AttributeDetails {
  switch (key) {
    case 'picklist':
    case 'multiselect':
    case 'state':
    case 'status':
    case 'boolean': {
      const options = optionsOf(item.OptionSet) ?? optionsOf(item.GlobalOptionSet);
      return options === undefined ? {} : { options };
    }
    case 'datetime': {
      const behaviour = valueOf(item, 'DateTimeBehavior');
      return behaviour !== undefined && BEHAVIOURS.has(behaviour) ? { dateTimeBehavior: behaviour as DateTimeBehavior } : {};
    }
    case 'decimal':
    case 'money': {
      const precision = int(item, 'Precision');
      return precision === undefined ? {} : { precision };
    }
    case 'lookup': {
      const targets = Array.isArray(item.Targets) ? item.Targets.filter((t): t is string => typeof t === 'string') : [];
      return { targets: [...new Set(targets)].sort() };
    }
  }
}

/**
 * Folds every present cast body into details per attribute logical name. Throws `DATAVERSE_PAYLOAD_INVALID` when a
 * present body is not an OData collection.
 */
export function readAttributeDetails(casts: CastBodies): Map<string, AttributeDetails> {
  const details = new Map<string, AttributeDetails>();
  for (const key of Object.keys(CAST_QUERIES) as CastKey[]) {
    const body = casts[key];
    if (body === undefined) continue;
    for (const item of collectionItems(body, `${key} attribute metadata`)) {
      const name = str(item, 'LogicalName');
      if (name === undefined) continue;
      details.set(name, { ...details.get(name), ...readItem(key, item) });
    }
  }
  return details;
}

/** The cast whose properties a column of `AttributeTypeName.Value` `typeName` needs, by type. */
const CAST_OF_TYPE: ReadonlyMap<string, CastKey> = new Map(
  (Object.keys(CAST_TYPES) as CastKey[]).flatMap((key) => CAST_TYPES[key].map((type) => [type, key] as const)),
);

/**
 * Details per attribute logical name from attribute items that carry their type's properties themselves (the
 * `Attributes` of a RetrieveMetadataChanges entity): the same properties, read the same way, as the casts
 * `castQueriesFor` asks for give; an item of a type without such a cast gives none. The first item of a name counts.
 */
export function readItemDetails(items: readonly JsonObject[]): Map<string, AttributeDetails> {
  const details = new Map<string, AttributeDetails>();
  for (const item of items) {
    const name = str(item, 'LogicalName');
    const typeName = valueOf(item, 'AttributeTypeName');
    const key = typeName === undefined ? undefined : CAST_OF_TYPE.get(typeName);
    if (name === undefined || key === undefined || details.has(name)) continue;
    details.set(name, readItem(key, item));
  }
  return details;
}
