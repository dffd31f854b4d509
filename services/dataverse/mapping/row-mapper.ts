/**
 * Dataverse row (a `value` item of a page parsed with `parseDataverseJson`) → the Avro record of its table
 * (avro-schema.ts), and the Kafka key of a row.
 */
import { SyncError } from '../../shared/errors.ts';
import type { ColumnDefinition, TableDefinition } from '../model/table-definition.ts';
import { avroFieldName, orderedColumns } from './avro-schema.ts';
import { isoDays, isoSecondsMs, newScratch, smallInteger, smallUnscaled, twosComplementInto } from './fast-values.ts';
import * as convert from './value-converters.ts';

/** An Avro record value: field name → value (null for a missing or empty column). */
export type AvroRecord = Record<string, unknown>;

/** Maps one row; throws `RECORD_INVALID` (to the DLQ) when the row cannot be mapped. */
export type RowMapper = (row: unknown) => AvroRecord;

/** Suffix of the annotation holding a value's display text (choice label, lookup name). */
export const FORMATTED_VALUE = '@OData.Community.Display.V1.FormattedValue';
/** Suffix of the annotation holding the target table of a lookup value. */
export const LOOKUP_LOGICAL_NAME = '@Microsoft.Dynamics.CRM.lookuplogicalname';
/** The currency lookup every table with Money columns has. */
export const CURRENCY_WIRE_NAME = '_transactioncurrencyid_value';

function recordInvalid(table: string, recordId: string | null, column: string | null, reason: string): SyncError {
  const where = [`table ${table}`, recordId ? `record ${recordId}` : null, column ? `column ${column}` : null].filter(Boolean).join(', ');
  return new SyncError('RECORD_INVALID', `Cannot map Dataverse row (${where}): ${reason}`, { details: { table, recordId, column } });
}

function asRow(table: TableDefinition, row: unknown): Record<string, unknown> {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) throw recordInvalid(table.logicalName, null, null, 'the row is not a JSON object');
  return row as Record<string, unknown>;
}

/**
 * The Kafka key of a row: its primary id (`table.primaryIdAttribute`), as a lower-case GUID. Throws
 * `RECORD_INVALID` naming the table when the id is missing or not a GUID.
 */
export function recordKey(table: TableDefinition, row: unknown): string {
  const raw = asRow(table, row)[table.primaryIdAttribute];
  if (raw === undefined || raw === null) throw recordInvalid(table.logicalName, null, table.primaryIdAttribute, 'primary id missing');
  try {
    return convert.toGuid(raw);
  } catch {
    throw recordInvalid(table.logicalName, null, table.primaryIdAttribute, 'primary id is not a GUID');
  }
}

type Converter = (raw: unknown, row: Record<string, unknown>) => unknown;

/** Options of {@link rowMapper}. */
export interface RowMapperOptions {
  /**
   * `js` (default): the JS values of the logical types (decimal strings, `Date`s, `YYYY-MM-DD` strings), for a
   * Type parsed with `avroLogicalTypes`. `wire`: their underlying Avro values (decimal → two's-complement bytes,
   * timestamp → epoch ms, date → days), for a Type parsed without logical types; both write the same bytes.
   */
  representation?: 'js' | 'wire';
  /**
   * `wire` only: fill ONE record and return it on every call, with its nested records (money, choice, reference)
   * and decimal bytes reused too, so mapping a row allocates almost nothing. The record is valid until the next
   * call: write it (WireRecordWriter) before mapping the next row. Same values as without `reuse`.
   */
  reuse?: boolean;
}

const isText = (raw: unknown): raw is string => typeof raw === 'string';
const LOOKUP_TABLE = /^[a-z][a-z0-9_]*$/;

/**
 * The converter of {@link converterFor} for the `wire` representation with `reuse`: the common value forms take
 * the allocation-free readers of fast-values.ts, anything else the general converter (same result or same error);
 * objects (money, choice, reference) and decimal bytes are one per column, overwritten by every row.
 */
function reusingConverterFor(column: ColumnDefinition, currencyIsoById: ReadonlyMap<string, string> | undefined, general: Converter): Converter {
  const formattedName = column.wireName + FORMATTED_VALUE;
  const lookupTableName = column.wireName + LOOKUP_LOGICAL_NAME;
  const int = (raw: unknown): number => {
    const v = isText(raw) ? smallInteger(raw) : undefined;
    return v !== undefined && v >= -0x80000000 && v <= 0x7fffffff ? v : convert.toInt(raw);
  };
  const decimal = (precision: number, scale: number) => {
    const scratch = newScratch();
    return (raw: unknown): Buffer => {
      const v = isText(raw) ? smallUnscaled(raw, precision, scale) : undefined;
      return v === undefined ? convert.toDecimalBytes(raw, precision, scale) : twosComplementInto(v, scratch);
    };
  };
  switch (column.dataverseType) {
    case 'DecimalType':
      return decimal(column.precision ?? 38, column.scale ?? 0);
    case 'IntegerType':
      return int;
    case 'BigIntType':
      return (raw) => (isText(raw) ? smallInteger(raw) : undefined) ?? convert.toLong(raw);
    case 'MoneyType': {
      const amount = decimal(38, 4);
      const money: { value: Buffer; currency: string | null } = { value: Buffer.alloc(0), currency: null };
      return (raw, row) => {
        const currencyId = row[CURRENCY_WIRE_NAME];
        money.value = amount(raw);
        money.currency = (isText(currencyId) ? currencyIsoById?.get(currencyId.toLowerCase()) : undefined) ?? null;
        return money;
      };
    }
    case 'PicklistType':
    case 'StateType':
    case 'StatusType': {
      const choice = { value: 0, label: null as string | null };
      const options = column.options;
      return (raw, row) => {
        const value = int(raw);
        const label = options && Object.hasOwn(options, value) ? options[value] : undefined;
        const formatted = label === undefined ? row[formattedName] : undefined;
        choice.value = value;
        choice.label = label ?? (isText(formatted) ? formatted : null);
        return choice;
      };
    }
    case 'DateTimeType':
      if (column.dateOnly) return (raw) => (isText(raw) ? isoDays(raw) : undefined) ?? convert.toDateDays(raw);
      return (raw) => (isText(raw) ? isoSecondsMs(raw) : undefined) ?? convert.toTimestampMs(raw);
    case 'LookupType':
    case 'CustomerType':
    case 'OwnerType': {
      const reference = { id: '', table: '', name: null as string | null };
      const only = column.targets?.length === 1 ? column.targets[0] : undefined;
      let lastTable = ''; // the last annotation value that passed LOOKUP_TABLE (most rows repeat it)
      return (raw, row) => {
        const annotated = row[lookupTableName];
        let table: string | undefined;
        if (isText(annotated) && (annotated === lastTable || LOOKUP_TABLE.test(annotated))) table = lastTable = annotated;
        else table = only;
        if (table === undefined) return general(raw, row); // the general converter's error
        const name = row[formattedName];
        reference.id = convert.toGuid(raw);
        reference.table = table;
        reference.name = isText(name) ? name : null;
        return reference;
      };
    }
    default:
      return general;
  }
}

function converterFor(column: ColumnDefinition, currencyIsoById: ReadonlyMap<string, string> | undefined, wire: boolean): Converter {
  // annotation property names built once per column, not per row
  const formattedName = column.wireName + FORMATTED_VALUE;
  const lookupTableName = column.wireName + LOOKUP_LOGICAL_NAME;
  const formatted = (row: Record<string, unknown>): unknown => row[formattedName];
  switch (column.dataverseType) {
    case 'DecimalType': {
      const [precision, scale] = [column.precision ?? 38, column.scale ?? 0];
      return wire ? (raw) => convert.toDecimalBytes(raw, precision, scale) : (raw) => convert.toDecimal(raw, precision, scale);
    }
    case 'IntegerType':
      return convert.toInt;
    case 'BigIntType':
      return convert.toLong;
    case 'DoubleType':
      return convert.toDouble;
    case 'MoneyType':
      return (raw, row) => {
        const currencyId = row[CURRENCY_WIRE_NAME];
        const iso = typeof currencyId === 'string' ? currencyIsoById?.get(currencyId.toLowerCase()) : undefined;
        return wire ? convert.toMoneyBytes(raw, iso ?? null) : convert.toMoney(raw, iso ?? null);
      };
    case 'StringType':
    case 'MemoType':
      return convert.toText;
    case 'UniqueidentifierType':
      return convert.toGuid;
    case 'PicklistType':
    case 'StateType':
    case 'StatusType':
      return (raw, row) => convert.toChoice(raw, column.options, formatted(row));
    case 'MultiSelectPicklistType':
      return (raw, row) => convert.toChoices(raw, column.options, formatted(row));
    case 'BooleanType':
      return convert.toBool;
    case 'DateTimeType':
      if (wire) return column.dateOnly ? convert.toDateDays : convert.toTimestampMs;
      return column.dateOnly ? convert.toDateOnly : convert.toTimestamp;
    case 'LookupType':
    case 'CustomerType':
    case 'OwnerType':
      return (raw, row) => convert.toReference(raw, row[lookupTableName], column.targets, formatted(row));
    default:
      throw new SyncError('INTERNAL', `table ${column.logicalName}: no mapping for type ${column.dataverseType}`);
  }
}

/**
 * A mapper from Dataverse rows of `table` to Avro records of `avroSchemaFor(table, ...)`. Every column of the
 * table becomes a field; a missing or null property gives null. Money keeps exact decimals and takes its currency
 * ISO code from `_transactioncurrencyid_value` through `currencyIsoById` (keys: lower-case GUIDs), else null.
 * Choices take labels from the column options, else from the formatted-value annotation. An empty multi-select
 * is null. DateOnly → `YYYY-MM-DD` string; other date-times → `Date`. Lookups read `_x_value` with the
 * `lookuplogicalname` (target table) and formatted-value (name) annotations.
 * Throws `RECORD_INVALID` naming the table, the record id (when known) and the column for a missing or invalid
 * primary id, a value of the wrong type, an impossible date, or a decimal that would lose digits.
 */
export function rowMapper(table: TableDefinition, currencyIsoById?: ReadonlyMap<string, string>, options: RowMapperOptions = {}): RowMapper {
  const wire = options.representation === 'wire';
  const reuse = wire && options.reuse === true;
  const plan = orderedColumns(table).map((column) => {
    const general = converterFor(column, currencyIsoById, wire);
    return { column, field: avroFieldName(column), convert: reuse ? reusingConverterFor(column, currencyIsoById, general) : general };
  });
  const newRecord = recordFactory(plan.map((p) => p.field));
  const reused = reuse ? newRecord() : undefined;
  return (input) => {
    const row = asRow(table, input);
    const recordId = recordKey(table, row);
    const record: AvroRecord = reused ?? newRecord();
    for (const { column, field, convert: run } of plan) {
      const raw = row[column.wireName];
      if (raw === undefined || raw === null) {
        record[field] = null;
        continue;
      }
      try {
        record[field] = run(raw, row);
      } catch (err) {
        if (err instanceof convert.ValueInvalid) throw recordInvalid(table.logicalName, recordId, column.logicalName, err.reason);
        throw err;
      }
    }
    return record;
  };
}

/**
 * A maker of empty records with every field present, in schema order: the mapper fills them in place, so each
 * record is created with its final shape instead of growing through one hidden-class transition per field
 * (bench/extract-cpu.ts on the 46-column table: map 22-25 → 19-22 µs per row, Avro write 12 → 10).
 */
function recordFactory(fields: readonly string[]): () => AvroRecord {
  const template: AvroRecord = Object.fromEntries(fields.map((f) => [f, null]));
  return () => ({ ...template });
}
