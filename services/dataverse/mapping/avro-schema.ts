/**
 * The Avro value schema of a table topic, derived from discovered metadata (architecture.md §3 and §4). Every field is
 * a union `["null", T]` with default null, so adding a column is a BACKWARD compatible change; removing one is too
 * (readers of the new schema ignore it). The record is named after the table, in the namespace
 * `<namespace>.<connection>`; the shared nested records (`Money`, `Choice`, `Reference`) are named in the namespace
 * `<namespace>.<connection>.<table>`, defined at their first use and referenced by full name afterwards.
 * Field order: the primary id first, then every other column sorted by logical name (code-point order), so the
 * schema does not depend on the order metadata happens to come back in.
 */
import { SyncError } from '../../shared/errors.ts';
import type { ColumnDefinition, TableDefinition } from '../model/table-definition.ts';
import { avroName, avroNamespace } from './avro-names.ts';

/** A JSON Avro schema. */
export type AvroSchema = string | AvroSchema[] | { [key: string]: unknown };

/** One field of a record schema. */
export interface AvroField {
  name: string;
  type: AvroSchema;
  default?: null;
}

/** A record schema as plain JSON, ready for `avro.Type.forSchema` or the schema registry. */
export interface AvroRecordSchema {
  type: 'record';
  name: string;
  namespace: string;
  fields: AvroField[];
}

/** Naming options of {@link avroSchemaFor}. */
export interface AvroSchemaOptions {
  /** Product namespace, e.g. `dynsync`. */
  namespace: string;
  /** Connection id; sanitised into one namespace part. */
  connection: string;
}

const decimal = (precision: number, scale: number): AvroSchema => ({ type: 'bytes', logicalType: 'decimal', precision, scale });
const nullableString: AvroSchema = ['null', 'string'];
const uuid: AvroSchema = { type: 'string', logicalType: 'uuid' };

/** The Avro field name of a column (its logical name, sanitised if ever needed). */
export function avroFieldName(column: Pick<ColumnDefinition, 'logicalName'>): string {
  return avroName(column.logicalName);
}

/** Columns in schema order: primary id first, then by logical name. */
export function orderedColumns(table: Pick<TableDefinition, 'columns'>): ColumnDefinition[] {
  return [...table.columns].sort((a, b) =>
    a.isPrimaryId !== b.isPrimaryId ? (a.isPrimaryId ? -1 : 1) : a.logicalName < b.logicalName ? -1 : a.logicalName > b.logicalName ? 1 : 0,
  );
}

/**
 * The Avro record schema of `table`, per architecture.md §3: Decimal → bytes decimal(38, column scale); Integer → int;
 * BigInt → long; Double → double; Money → record {value: decimal(38,4), currency: ISO code or null};
 * String/Memo → string; Uniqueidentifier → string (logicalType uuid); Picklist/State/Status → record
 * {value: int, label: string or null}; MultiSelect → array of that record; Boolean → boolean; DateTime →
 * long timestamp-millis, or int date for the DateOnly behaviour; Lookup/Customer/Owner → record
 * {id: uuid string, table: string, name: string or null}. Every field nullable with default null.
 * Throws `SCHEMA_INCOMPATIBLE` if two columns would get the same field name.
 */
export function avroSchemaFor(table: TableDefinition, options: AvroSchemaOptions): AvroRecordSchema {
  const recordNamespace = avroNamespace(`${avroNamespace(options.namespace)}.${avroName(options.connection)}`);
  const nestedNamespace = `${recordNamespace}.${avroName(table.logicalName)}`;
  const defined = new Set<string>();
  const named = (name: string, fields: AvroField[]): AvroSchema => {
    const fullName = `${nestedNamespace}.${name}`;
    if (defined.has(fullName)) return fullName;
    defined.add(fullName);
    return { type: 'record', name, namespace: nestedNamespace, fields };
  };
  const money = (): AvroSchema =>
    named('Money', [
      { name: 'value', type: decimal(38, 4) },
      { name: 'currency', type: nullableString, default: null },
    ]);
  const choice = (): AvroSchema =>
    named('Choice', [
      { name: 'value', type: 'int' },
      { name: 'label', type: nullableString, default: null },
    ]);
  const reference = (): AvroSchema =>
    named('Reference', [
      { name: 'id', type: uuid },
      { name: 'table', type: 'string' },
      { name: 'name', type: nullableString, default: null },
    ]);

  const typeOf = (column: ColumnDefinition): AvroSchema => {
    switch (column.dataverseType) {
      case 'DecimalType':
        return decimal(column.precision ?? 38, column.scale ?? 0);
      case 'IntegerType':
        return 'int';
      case 'BigIntType':
        return 'long';
      case 'DoubleType':
        return 'double';
      case 'MoneyType':
        return money();
      case 'UniqueidentifierType':
        return uuid;
      case 'PicklistType':
      case 'StateType':
      case 'StatusType':
        return choice();
      case 'MultiSelectPicklistType':
        return { type: 'array', items: choice() };
      case 'BooleanType':
        return 'boolean';
      case 'DateTimeType':
        return column.dateOnly ? { type: 'int', logicalType: 'date' } : { type: 'long', logicalType: 'timestamp-millis' };
      case 'LookupType':
      case 'CustomerType':
      case 'OwnerType':
        return reference();
      case 'StringType':
      case 'MemoType':
        return 'string';
      default:
        throw new SyncError('INTERNAL', `table ${table.logicalName}: column ${column.logicalName} has the unsynced type ${column.dataverseType}`);
    }
  };

  const fields: AvroField[] = [];
  const names = new Set<string>();
  for (const column of orderedColumns(table)) {
    const name = avroFieldName(column);
    if (names.has(name)) {
      throw new SyncError('SCHEMA_INCOMPATIBLE', `table ${table.logicalName}: two columns map to the Avro field "${name}"`, {
        details: { table: table.logicalName },
      });
    }
    names.add(name);
    fields.push({ name, type: ['null', typeOf(column)], default: null });
  }
  return { type: 'record', name: avroName(table.logicalName), namespace: recordNamespace, fields };
}
