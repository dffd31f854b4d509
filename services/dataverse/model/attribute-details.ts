/**
 * Reading the type-specific cast responses (option sets, date-time behaviour, precision, lookup targets) into
 * per-column details, keyed by attribute logical name.
 */
import { CAST_QUERIES, type CastKey } from './attribute-queries.ts';
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
