/**
 * Defensive readers for Dataverse metadata JSON (`unknown` in, typed values out). A body that does not have the
 * documented shape is a `DATAVERSE_PAYLOAD_INVALID` error naming what was expected.
 */
import { SyncError } from '../../shared/errors.ts';

/** A JSON object. */
export type JsonObject = Record<string, unknown>;

/** Lower-case letters, digits and underscores, starting with a letter: every Dataverse logical name. */
export const LOGICAL_NAME = /^[a-z][a-z0-9_]{0,127}$/;

/** True for a plain JSON object (not null, not an array). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The error for a metadata body of the wrong shape. */
export function payloadInvalid(what: string, details: Record<string, unknown> = {}): SyncError {
  return new SyncError('DATAVERSE_PAYLOAD_INVALID', `Unexpected Dataverse metadata: ${what}`, { details });
}

/** The `value` array of an OData collection body; throws DATAVERSE_PAYLOAD_INVALID when absent. */
export function collectionItems(body: unknown, what: string): JsonObject[] {
  if (!isObject(body) || !Array.isArray(body.value)) throw payloadInvalid(`${what}: expected an object with a "value" array`);
  return body.value.filter(isObject);
}

/** A non-empty string property, or undefined. */
export function str(obj: JsonObject, key: string): string | undefined {
  const v = obj[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** A boolean property (also the managed form `{Value: boolean}`), or `fallback`. */
export function bool(obj: JsonObject, key: string, fallback: boolean): boolean {
  const v = obj[key];
  if (typeof v === 'boolean') return v;
  if (isObject(v) && typeof v.Value === 'boolean') return v.Value;
  return fallback;
}

/** The `Value` string of a complex property such as `AttributeTypeName` or `DateTimeBehavior`, or undefined. */
export function valueOf(obj: JsonObject, key: string): string | undefined {
  const v = obj[key];
  return isObject(v) && typeof v.Value === 'string' && v.Value !== '' ? v.Value : undefined;
}

/**
 * An integer property. Accepts a JSON number or a numeric string (bodies parsed with `parseDataverseJson` keep
 * numbers as strings); undefined otherwise.
 */
export function int(obj: JsonObject, key: string): number | undefined {
  const v = obj[key];
  const n = typeof v === 'string' && /^-?\d{1,15}$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isSafeInteger(n) ? n : undefined;
}

/**
 * The display text of a `Label` complex value: the user-localised label, else the first localised label, else
 * undefined.
 */
export function labelText(label: unknown): string | undefined {
  if (!isObject(label)) return undefined;
  const user = label.UserLocalizedLabel;
  if (isObject(user) && typeof user.Label === 'string') return user.Label;
  const all = label.LocalizedLabels;
  if (Array.isArray(all)) {
    for (const l of all) if (isObject(l) && typeof l.Label === 'string') return l.Label;
  }
  return undefined;
}
