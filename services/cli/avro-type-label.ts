/**
 * Short, human-readable labels of the Avro types of a table's fields, for `dynsync tables`: `decimal(38,4)`,
 * `timestamp-millis`, `uuid`, `array<Choice{value: int, label: string?}>`... Named records are spelled out at every
 * use (the schema defines them once and then refers to them by full name). Pure.
 */
import type { AvroRecordSchema, AvroSchema } from '../dataverse/mapping/avro-schema.ts';

/**
 * The label of every field of `schema`, by field name. The outer `["null", T]` union every field has is shown as
 * `T` (all fields are nullable); nullable members inside records get a `?`.
 */
export function avroTypeLabels(schema: AvroRecordSchema): Map<string, string> {
  const named = new Map<string, string>();
  const out = new Map<string, string>();
  for (const field of schema.fields) out.set(field.name, label(field.type, named, schema.namespace, true));
  return out;
}

function label(type: AvroSchema, named: Map<string, string>, namespace: string, top = false): string {
  if (typeof type === 'string') return named.get(type) ?? named.get(`${namespace}.${type}`) ?? type;
  if (Array.isArray(type)) {
    const nonNull = type.filter((t) => t !== 'null');
    const inner = nonNull.map((t) => label(t, named, namespace)).join(' | ');
    return nonNull.length < type.length && !top ? `${inner}?` : inner;
  }
  const t = type as Record<string, unknown>;
  const logical = t.logicalType;
  if (logical === 'decimal') return `decimal(${String(t.precision)},${String(t.scale ?? 0)})`;
  if (typeof logical === 'string') return logical;
  if (t.type === 'array') return `array<${label(t.items as AvroSchema, named, namespace)}>`;
  if (t.type === 'map') return `map<${label(t.values as AvroSchema, named, namespace)}>`;
  if (t.type === 'record' || t.type === 'enum' || t.type === 'fixed') {
    const ns = typeof t.namespace === 'string' ? t.namespace : namespace;
    const name = String(t.name);
    const full = name.includes('.') ? name : `${ns}.${name}`;
    const short = full.slice(full.lastIndexOf('.') + 1);
    let text = short;
    if (t.type === 'record') {
      const fields = (t.fields as { name: string; type: AvroSchema }[]).map((f) => `${f.name}: ${label(f.type, named, ns)}`);
      text = `${short}{${fields.join(', ')}}`;
    }
    named.set(full, text);
    return text;
  }
  return label(t.type as AvroSchema, named, namespace, top);
}
